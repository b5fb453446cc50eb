package io.github.connectionpool.spring;

import io.github.connectionpool.tcp.TcpConnectionPool;
import java.security.NoSuchAlgorithmException;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;

/**
 * One auto-configured pool's TLS, from its {@code ssl.*} settings: plain TCP; the JDK's default {@link SSLContext}
 * ({@code ssl.enabled=true} without a bundle); or the context of the Spring Boot SSL bundle {@code ssl.bundle} names,
 * with the bundle's options (enabled protocols, ciphers) applied to every socket. A bundle that is not defined or
 * cannot be loaded fails start-up with a {@link PoolSslBundleException} naming the property and the bundle.
 */
final class PoolTls {

    private static final Logger log = LoggerFactory.getLogger(PoolTls.class);

    private PoolTls() {}

    /**
     * Turns TLS on in the builder when the settings ask for it, with their {@code ssl.verify-hostname}.
     *
     * @param settings the pool's settings
     * @param bundles Spring Boot's SSL bundles, looked up only when a bundle is named
     * @param builder the pool's builder
     * @throws PoolSslBundleException when the named bundle is not defined or cannot be used
     */
    static void apply(PoolSettings settings, ObjectProvider<SslBundles> bundles, TcpConnectionPool.Builder builder) {
        if (settings.tls()) {
            builder.ssl(context(settings, bundles)).verifyHostname(settings.bool("ssl.verify-hostname"));
        }
    }

    private static SSLContext context(PoolSettings settings, ObjectProvider<SslBundles> bundles) {
        PoolSettings.Setting bundle = settings.setting("ssl.bundle");
        if (bundle.value() == null) {
            return defaultContext(settings);
        }
        return bundleContext(settings.poolName(), bundle.property(), (String) bundle.value(), bundles);
    }

    private static SSLContext defaultContext(PoolSettings settings) {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(
                    settings.setting("ssl.enabled").property() + "=true without a bundle takes the JDK's default"
                            + " SSLContext, which cannot be had: " + e.getMessage(),
                    e);
        }
    }

    private static SSLContext bundleContext(
            String poolName, String property, String name, ObjectProvider<SslBundles> bundles) {
        SslBundles registry;
        try {
            registry = bundles.getIfAvailable();
        } catch (BeansException e) {
            throw PoolSslBundleException.unusable(
                    property, name, "the SSL bundles of spring.ssl.bundle.* could not be loaded: " + describe(e), e);
        }
        if (registry == null) {
            throw PoolSslBundleException.unusable(
                    property,
                    name,
                    "there are no SSL bundles in this application (no SslBundles bean: Spring Boot's"
                            + " SslAutoConfiguration is not in use)",
                    null);
        }
        SSLContext context;
        SslOptions options;
        try {
            SslBundle bundle = registry.getBundle(name);
            context = bundle.createSslContext();
            options = bundle.getOptions();
        } catch (NoSuchSslBundleException e) {
            throw PoolSslBundleException.unknown(property, name, registry.getBundleNames(), e);
        } catch (RuntimeException e) {
            throw PoolSslBundleException.unusable(property, name, describe(e), e);
        }
        registry.addBundleUpdateHandler(
                name,
                updated -> log.warn(
                        "{}: the SSL bundle '{}' was updated; the pool's new connections keep using the material it"
                                + " was built with until the application restarts",
                        poolName,
                        name));
        return options != null && options.isSpecified() ? new SslOptionsContext(context, options) : context;
    }

    /** The messages of an error and its causes, each once: Boot's own say which file or password failed. */
    static String describe(Throwable error) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = error; t != null && t != t.getCause(); t = t.getCause()) {
            String message =
                    t.getMessage() != null ? t.getMessage() : t.getClass().getName();
            if (text.indexOf(message) < 0) {
                text.append(text.length() > 0 ? ": " : "").append(message);
            }
        }
        return text.toString();
    }
}
