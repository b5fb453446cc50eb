package io.github.connectionpool.spring;

import static io.github.connectionpool.spring.BooleanSwitchesTests.rootCause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.connectionpool.ConnectionCreationException;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.tcp.TcpConnectionPool;
import io.github.connectionpool.testing.TestCertificates;
import io.github.connectionpool.testing.TestServer;
import io.github.connectionpool.testing.TlsTestServer;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.ssl.SslBundleRegistry;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * TLS for auto-configured pools: {@code ssl.bundle} naming a Spring Boot SSL bundle ({@code spring.ssl.bundle.pem.*},
 * {@code spring.ssl.bundle.jks.*}) and {@code ssl.enabled}, at the top level and per instance, against an in-process
 * TLS echo server whose certificate the test makes.
 */
@Timeout(60)
@ExtendWith(OutputCaptureExtension.class)
class PoolTlsTests {

    private static final TestCertificates CERTIFICATES = TestCertificates.loopback();

    private TlsTestServer tls;
    private TestServer plain;
    private ApplicationContextRunner runner;
    private volatile Environment environment; // the last context's, for the failure analyzer

    @BeforeEach
    void start() {
        tls = TlsTestServer.echo(CERTIFICATES);
        plain = TestServer.start();
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        SslAutoConfiguration.class,
                        ConnectionPoolAutoConfiguration.class,
                        PoolInstancesAutoConfiguration.class))
                .withInitializer(context -> environment = context.getEnvironment())
                .withPropertyValues(
                        "pool.host=127.0.0.1", "spring.ssl.bundle.pem.echo.truststore.certificate=" + pem());
    }

    @AfterEach
    void stop() {
        tls.close();
        plain.close();
    }

    @Test
    void aPemBundleTurnsTlsOnAndARoundTripWorks() {
        runner.withPropertyValues("pool.port=" + tls.port(), "pool.ssl.bundle=echo")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertRoundTripOverTls(context.getBean(TcpConnectionPool.class));
                    assertThat(tls.handshakes()).isEqualTo(1);
                });
    }

    @Test
    void aJksBundleForOneInstanceLeavesTheOthersPlain(@TempDir Path directory) {
        Path trustStore = CERTIFICATES.writeTrustStore(directory.resolve("trust.p12"));
        runner.withPropertyValues(
                        "spring.ssl.bundle.jks.stores.truststore.location=file:" + trustStore,
                        "spring.ssl.bundle.jks.stores.truststore.password=" + TestCertificates.storePassword(),
                        "spring.ssl.bundle.jks.stores.truststore.type=PKCS12",
                        "pool.port=" + plain.port(),
                        "pool.instances.secure.port=" + tls.port(),
                        "pool.instances.secure.ssl.bundle=stores")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertRoundTripOverTls(context.getBean("secureConnectionPool", TcpConnectionPool.class));
                    assertPlainRoundTrip(context.getBean("connectionPool", TcpConnectionPool.class));
                });
    }

    @Test
    void instancesInheritTheTopLevelBundleAndCanTurnItOff() {
        runner.withPropertyValues(
                        "pool.port=" + tls.port(),
                        "pool.ssl.bundle=echo",
                        "pool.instances.replica.max-size=2",
                        "pool.instances.legacy.port=" + plain.port(),
                        "pool.instances.legacy.ssl.enabled=false")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertRoundTripOverTls(context.getBean("replicaConnectionPool", TcpConnectionPool.class));
                    assertPlainRoundTrip(context.getBean("legacyConnectionPool", TcpConnectionPool.class));
                });
    }

    @Test
    void anInstancesOwnBundleTurnsTlsOnOverAnInheritedEnabledFalse() {
        runner.withPropertyValues(
                        "pool.port=" + plain.port(),
                        "pool.ssl.enabled=false",
                        "pool.instances.secure.port=" + tls.port(),
                        "pool.instances.secure.ssl.bundle=echo")
                .run(context -> {
                    assertRoundTripOverTls(context.getBean("secureConnectionPool", TcpConnectionPool.class));
                    assertPlainRoundTrip(context.getBean("connectionPool", TcpConnectionPool.class));
                });
    }

    @Test
    void enabledFalseBesideABundleKeepsThePoolPlain() {
        runner.withPropertyValues("pool.port=" + plain.port(), "pool.ssl.bundle=echo", "pool.ssl.enabled=false")
                .run(context -> assertPlainRoundTrip(context.getBean(TcpConnectionPool.class)));
    }

    @Test
    void enabledWithoutABundleUsesTheJdksDefaultTrust() {
        // The JDK's CAs do not trust the test's self-signed certificate: the handshake fails, so TLS was on.
        runner.withPropertyValues("pool.port=" + tls.port(), "pool.ssl.enabled=true")
                .run(context -> {
                    TcpConnectionPool pool = context.getBean(TcpConnectionPool.class);
                    assertThatThrownBy(pool::getConnection)
                            .isInstanceOf(ConnectionCreationException.class)
                            .hasCauseInstanceOf(SSLHandshakeException.class);
                });
    }

    @Test
    void theHostNameIsCheckedUnlessVerifyHostnameIsOff() {
        TestCertificates other = TestCertificates.otherHost();
        try (TlsTestServer elsewhere = TlsTestServer.echo(other)) {
            ApplicationContextRunner otherRunner = runner.withPropertyValues(
                    "spring.ssl.bundle.pem.other.truststore.certificate=" + other.certificatePem(),
                    "pool.port=" + elsewhere.port(),
                    "pool.ssl.bundle=other");
            otherRunner.run(context -> assertThatThrownBy(context.getBean(TcpConnectionPool.class)::getConnection)
                    .isInstanceOf(ConnectionCreationException.class)
                    .hasCauseInstanceOf(SSLHandshakeException.class));
            otherRunner
                    .withPropertyValues("pool.ssl.verify-hostname=false")
                    .run(context -> assertRoundTripOverTls(context.getBean(TcpConnectionPool.class)));
        }
    }

    @Test
    void theBundlesProtocolsAndCiphersApplyToThePoolsSockets() {
        String cipher = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
        runner.withPropertyValues(
                        "spring.ssl.bundle.pem.echo.options.enabled-protocols=TLSv1.2",
                        "spring.ssl.bundle.pem.echo.options.ciphers=" + cipher,
                        "pool.port=" + tls.port(),
                        "pool.ssl.bundle=echo")
                .run(context -> {
                    try (PooledConnection<Socket> lease =
                            context.getBean(TcpConnectionPool.class).getConnection()) {
                        SSLSocket socket = (SSLSocket) lease.get();
                        assertThat(TestServer.roundTrip(socket, "options")).isEqualTo("options");
                        assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
                        assertThat(socket.getSession().getCipherSuite()).isEqualTo(cipher);
                    }
                });
    }

    @Test
    void anUpdatedBundleIsLoggedAsNotReachingThePool(CapturedOutput output) {
        runner.withPropertyValues("pool.port=" + tls.port(), "pool.ssl.bundle=echo")
                .run(context -> {
                    SslBundleRegistry registry = context.getBean(SslBundleRegistry.class);
                    registry.updateBundle(
                            "echo", context.getBean(SslBundles.class).getBundle("echo"));
                    assertThat(output).contains("tcp: the SSL bundle 'echo' was updated");
                    assertRoundTripOverTls(context.getBean(TcpConnectionPool.class));
                });
    }

    @Test
    void anUnknownBundleFailsStartUpNamingThePropertyAndTheBundle() {
        runner.withPropertyValues("pool.port=" + tls.port(), "pool.ssl.bundle=ehco")
                .run(context -> {
                    PoolSslBundleException failure =
                            rootCause(context.getStartupFailure(), PoolSslBundleException.class);
                    assertThat(failure.getProperty()).isEqualTo("pool.ssl.bundle");
                    assertThat(failure.getBundleName()).isEqualTo("ehco");
                    assertThat(failure.isUnknownBundle()).isTrue();
                    assertThat(failure.getDefinedBundles()).containsExactly("echo");
                    assertThat(failure).hasMessageContaining("pool.ssl.bundle").hasMessageContaining("'ehco'");

                    FailureAnalysis analysis = analyze(context);
                    assertThat(analysis.getDescription())
                            .contains("'pool.ssl.bundle'")
                            .contains("'ehco'")
                            .contains("not defined")
                            .contains("[echo]");
                    assertThat(analysis.getAction())
                            .contains("spring.ssl.bundle.jks.ehco.*")
                            .contains("pool.enabled=false");
                });
    }

    @Test
    void anInstancesUnknownBundleIsReportedUnderTheInstancesProperty() {
        runner.withPropertyValues("pool.port=" + plain.port(), "pool.instances.secure.ssl.bundle=nope")
                .run(context -> assertThat(rootCause(context.getStartupFailure(), PoolSslBundleException.class)
                                .getProperty())
                        .isEqualTo("pool.instances.secure.ssl.bundle"));
    }

    @Test
    void aStoreThatCannotBeReadFailsStartUpNamingTheBundle(@TempDir Path directory) {
        Path trustStore = CERTIFICATES.writeTrustStore(directory.resolve("trust.p12"));
        runner.withPropertyValues(
                        "spring.ssl.bundle.jks.stores.truststore.location=file:" + trustStore,
                        "spring.ssl.bundle.jks.stores.truststore.password=not-the-password",
                        "spring.ssl.bundle.jks.stores.truststore.type=PKCS12",
                        "pool.port=" + tls.port(),
                        "pool.ssl.bundle=stores")
                .run(context -> {
                    assertThat(context).hasFailed();
                    PoolSslBundleException failure =
                            rootCause(context.getStartupFailure(), PoolSslBundleException.class);
                    assertThat(failure.isUnknownBundle()).isFalse();
                    assertThat(failure)
                            .hasMessageContaining("SSL bundle 'stores'")
                            .hasMessageContaining("pool.ssl.bundle");
                    FailureAnalysis analysis = analyze(context);
                    assertThat(analysis.getDescription())
                            .contains("SSL bundle 'stores'")
                            .contains("'pool.ssl.bundle'")
                            .contains("cannot be used");
                    assertThat(analysis.getAction()).contains("spring.ssl.bundle.jks.stores");
                });
    }

    @Test
    void aMissingStoreFileFailsStartUpNamingTheBundle(@TempDir Path directory) {
        runner.withPropertyValues(
                        "spring.ssl.bundle.jks.stores.truststore.location=file:" + directory.resolve("absent.p12"),
                        "spring.ssl.bundle.jks.stores.truststore.password=x",
                        "pool.port=" + tls.port(),
                        "pool.ssl.bundle=stores")
                .run(context -> assertThat(rootCause(context.getStartupFailure(), PoolSslBundleException.class))
                        .hasMessageContaining("SSL bundle 'stores'")
                        .hasMessageContaining("absent.p12"));
    }

    @Test
    void aBundleWithoutBootsSslSupportSaysSo() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ConnectionPoolAutoConfiguration.class))
                .withPropertyValues("pool.port=" + tls.port(), "pool.ssl.bundle=echo")
                .run(context -> assertThat(rootCause(context.getStartupFailure(), PoolSslBundleException.class))
                        .hasMessageContaining("no SslBundles bean"));
    }

    @Test
    void aBlankBundleNameIsNoBundle() {
        runner.withPropertyValues("pool.port=" + plain.port(), "pool.ssl.bundle=")
                .run(context -> assertPlainRoundTrip(context.getBean(TcpConnectionPool.class)));
    }

    @Test
    void aFailedStartUpClosesThePoolsAlreadyMade() {
        runner.withBean(PoolCollector.class)
                .withPropertyValues(
                        "pool.port=" + plain.port(),
                        "pool.instances.a.max-size=1",
                        "pool.instances.z.ssl.bundle=missing")
                .run(context -> {
                    assertThat(context).hasFailed();
                    PoolCollector collector = PoolCollector.last;
                    assertThat(collector.pools)
                            .as("pools made before the failure")
                            .isNotEmpty();
                    assertThat(collector.pools).allMatch(TcpConnectionPool::isClosed);
                });
    }

    @Test
    void aRealStartUpPrintsBootsReportForAnUnknownBundle(CapturedOutput output) {
        SpringApplication application = new SpringApplication(StarterWithSsl.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        assertThatThrownBy(() -> application
                        .run("--pool.port=" + tls.port(), "--pool.ssl.bundle=server-ca")
                        .close())
                .isNotNull();
        assertThat(output)
                .contains("APPLICATION FAILED TO START")
                .contains("The connection pool property 'pool.ssl.bundle'")
                .contains("names the SSL bundle 'server-ca', which is not defined")
                .contains("spring.ssl.bundle.pem.server-ca.*");
    }

    private FailureAnalysis analyze(AssertableApplicationContext context) {
        FailureAnalysis analysis = new PoolPropertyFailureAnalyzer(environment).analyze(context.getStartupFailure());
        assertThat(analysis).as("the analysis").isNotNull();
        return analysis;
    }

    private static void assertRoundTripOverTls(TcpConnectionPool pool) throws IOException {
        try (PooledConnection<Socket> lease = pool.getConnection()) {
            assertThat(lease.get()).isInstanceOf(SSLSocket.class);
            assertThat(TestServer.roundTrip(lease.get(), "over tls")).isEqualTo("over tls");
        }
        try (PooledConnection<Socket> lease = pool.getConnection()) {
            assertThat(TestServer.roundTrip(lease.get(), "again")).as("reused").isEqualTo("again");
        }
        assertThat(pool.stats().created()).as("one TLS connection, reused").isEqualTo(1);
    }

    private static void assertPlainRoundTrip(TcpConnectionPool pool) throws IOException {
        try (PooledConnection<Socket> lease = pool.getConnection()) {
            assertThat(lease.get()).isNotInstanceOf(SSLSocket.class);
            assertThat(TestServer.roundTrip(lease.get(), "plain")).isEqualTo("plain");
        }
    }

    private static String pem() {
        return CERTIFICATES.certificatePem();
    }

    /** Keeps every pool the context makes, to check after a failed start-up that each was closed. */
    static class PoolCollector implements BeanPostProcessor {

        static volatile PoolCollector last;

        final List<TcpConnectionPool> pools = new CopyOnWriteArrayList<>();

        PoolCollector() {
            last = this;
        }

        @Override
        public Object postProcessAfterInitialization(Object bean, String beanName) {
            if (bean instanceof TcpConnectionPool pool) {
                pools.add(pool);
            }
            return bean;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({
        SslAutoConfiguration.class,
        ConnectionPoolAutoConfiguration.class,
        PoolInstancesAutoConfiguration.class
    })
    static class StarterWithSsl {}
}
