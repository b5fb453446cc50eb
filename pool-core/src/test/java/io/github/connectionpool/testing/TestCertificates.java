package io.github.connectionpool.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed certificates made for the tests by the JDK's own {@code keytool}, once per test run (nothing is
 * committed, so nothing expires): {@link #loopback()} names {@code 127.0.0.1} and {@code localhost};
 * {@link #otherHost()} names only {@code other.example}.
 */
public final class TestCertificates {

    private static final char[] PASSWORD = "test-password".toCharArray();

    private final KeyStore keyStore;

    private TestCertificates(KeyStore keyStore) {
        this.keyStore = keyStore;
    }

    /** A certificate naming {@code 127.0.0.1} and {@code localhost}. */
    public static TestCertificates loopback() {
        return Loopback.CERTIFICATES;
    }

    /** A certificate naming only {@code other.example}: connecting to {@code 127.0.0.1} with it fails the host check. */
    public static TestCertificates otherHost() {
        return OtherHost.CERTIFICATES;
    }

    // Made on first use, once: the holder idiom makes it thread-safe.
    private static final class Loopback {
        static final TestCertificates CERTIFICATES = make("ip:127.0.0.1,dns:localhost");
    }

    private static final class OtherHost {
        static final TestCertificates CERTIFICATES = make("dns:other.example");
    }

    /** A server-side context presenting this certificate. */
    public SSLContext serverContext() {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore, PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client-side context that trusts this certificate and nothing else. */
    public SSLContext clientContext() {
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            Certificate certificate = keyStore.getCertificate("server");
            trusted.setCertificateEntry("server", certificate);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The certificate in PEM form, as Spring Boot's {@code spring.ssl.bundle.pem.<name>.truststore.certificate} takes
     * it (the content itself, not a file).
     */
    public String certificatePem() {
        try {
            byte[] der = keyStore.getCertificate("server").getEncoded();
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                    + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes a PKCS12 trust store holding only this certificate, protected by {@link #storePassword()}, as Spring
     * Boot's {@code spring.ssl.bundle.jks.<name>.truststore.*} reads it.
     *
     * @param file where to write it
     * @return {@code file}
     */
    public Path writeTrustStore(Path file) {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("server", keyStore.getCertificate("server"));
            try (OutputStream out = Files.newOutputStream(file)) {
                trusted.store(out, PASSWORD);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The password of the stores {@link #writeTrustStore(Path)} writes. */
    public static String storePassword() {
        return new String(PASSWORD);
    }

    private static TestCertificates make(String subjectAlternativeNames) {
        try {
            Path directory = Files.createTempDirectory("pool-test-certificates");
            Path store = directory.resolve("server.p12");
            String keytool =
                    Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            Process process = new ProcessBuilder(List.of(
                            keytool,
                            "-genkeypair",
                            "-alias",
                            "server",
                            "-keyalg",
                            "EC",
                            "-groupname",
                            "secp256r1",
                            "-dname",
                            "CN=pool test",
                            "-ext",
                            "SAN=" + subjectAlternativeNames,
                            "-validity",
                            "2",
                            "-storetype",
                            "PKCS12",
                            "-keystore",
                            store.toString(),
                            "-storepass",
                            new String(PASSWORD),
                            "-keypass",
                            new String(PASSWORD)))
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keyStore.load(in, PASSWORD);
            }
            Files.delete(store);
            Files.delete(directory);
            return new TestCertificates(keyStore);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
