package io.github.connectionpool.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.connectionpool.ConnectionPool;
import io.github.connectionpool.testing.TestServer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader;

/** Boot's failure report for two pools of the same name. */
@Timeout(30)
@ExtendWith(OutputCaptureExtension.class)
class DuplicatePoolNameFailureAnalyzerTests {

    private TestServer server;
    private ApplicationContextRunner runner;

    @BeforeEach
    void start() {
        server = TestServer.start();
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        ConnectionPoolAutoConfiguration.class, PoolInstancesAutoConfiguration.class))
                .withPropertyValues("pool.host=127.0.0.1", "pool.port=" + server.port());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void theTopLevelPoolAndAnInstanceOfTheSameNameAreToldApartByWhereTheirNamesAreSet() {
        FailureAnalysis analysis =
                analyze(runner.withPropertyValues("pool.name=orders", "pool.instances.orders.max-size=2"));
        assertThat(analysis.getDescription())
                .contains("named 'orders'")
                .contains("'connectionPool'")
                .contains("'ordersConnectionPool'");
        assertThat(analysis.getAction())
                .contains("'connectionPool' is pool.name")
                .contains("'ordersConnectionPool' is the key of pool.instances.orders");
    }

    @Test
    void anApplicationPoolIsPointedToItsBuilder() {
        FailureAnalysis analysis = analyze(runner.withUserConfiguration(OwnPoolNamedTcp.class));
        assertThat(analysis.getDescription()).contains("named 'tcp'").contains("'ownPool'");
        assertThat(analysis.getAction()).contains("'ownPool' is the name its builder was given");
    }

    @Test
    void theAnalyzerIsRegisteredWhereBootLooksForIt() {
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
                .load(
                        FailureAnalyzer.class,
                        SpringFactoriesLoader.ArgumentResolver.of(Environment.class, new StandardEnvironment()),
                        SpringFactoriesLoader.FailureHandler.handleMessage((message, failure) -> {}));
        assertThat(analyzers).hasAtLeastOneElementOfType(DuplicatePoolNameFailureAnalyzer.class);
    }

    @Test
    void aRealStartUpPrintsBootsReport(CapturedOutput output) {
        SpringApplication application = new SpringApplication(OnlyTheStarter.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        assertThatThrownBy(() -> application
                        .run(
                                "--pool.host=127.0.0.1",
                                "--pool.port=" + server.port(),
                                "--pool.name=audit",
                                "--pool.instances.audit.max-size=1")
                        .close())
                .isInstanceOf(DuplicatePoolNameException.class);
        assertThat(output)
                .contains("APPLICATION FAILED TO START")
                .contains("Two connection pools are named 'audit'")
                .contains("Give one of them another name");
    }

    private static FailureAnalysis analyze(ApplicationContextRunner runner) {
        FailureAnalysis[] analysis = new FailureAnalysis[1];
        Environment[] environment = new Environment[1];
        runner.withInitializer(context -> environment[0] = context.getEnvironment())
                .run(context -> {
                    assertThat(context).hasFailed();
                    analysis[0] =
                            new DuplicatePoolNameFailureAnalyzer(environment[0]).analyze(context.getStartupFailure());
                });
        assertThat(analysis[0]).as("the analysis").isNotNull();
        return analysis[0];
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnPoolNamedTcp {

        @Bean(destroyMethod = "close")
        ConnectionPool<Object, String> ownPool() {
            return ConnectionPool.<Object, String>builder(
                            "params",
                            params -> CompletableFuture.completedFuture(new Object()),
                            connection -> CompletableFuture.completedFuture(true))
                    .name("tcp")
                    .build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ConnectionPoolAutoConfiguration.class, PoolInstancesAutoConfiguration.class})
    static class OnlyTheStarter {}
}
