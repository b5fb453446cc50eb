package io.github.connectionpool.spring;

import io.github.connectionpool.InvalidSettingException;
import io.github.connectionpool.PoolListener;
import io.github.connectionpool.tcp.TcpConnectionPool;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.SslBundles;

/**
 * Builds the auto-configured pools: the top-level pool and each of {@code pool.instances}. Each gets its settings
 * (with inheritance, TLS from an SSL bundle included: see {@link PoolTls}), its own listener and the application's
 * {@link PoolListener} beans, then every
 * {@link TcpConnectionPoolBuilderCustomizer} in order, and its own cleanup on the {@link PoolCleanupScheduler}.
 */
final class TcpPoolFactory {

    static final String BEAN_NAME = "tcpConnectionPoolFactory";

    private final PoolProperties properties;
    private final ObjectProvider<TcpConnectionDetails> connectionDetails;
    private final ObjectProvider<PoolListenerFactory> listenerFactory;
    private final ObjectProvider<PoolListener> listeners;
    private final ObjectProvider<TcpConnectionPoolBuilderCustomizer> customizers;
    private final ObjectProvider<SslBundles> sslBundles;
    private final PoolCleanupScheduler cleanupScheduler;

    TcpPoolFactory(
            PoolProperties properties,
            ObjectProvider<TcpConnectionDetails> connectionDetails,
            ObjectProvider<PoolListenerFactory> listenerFactory,
            ObjectProvider<PoolListener> listeners,
            ObjectProvider<TcpConnectionPoolBuilderCustomizer> customizers,
            ObjectProvider<SslBundles> sslBundles,
            PoolCleanupScheduler cleanupScheduler) {
        this.properties = properties;
        this.connectionDetails = connectionDetails;
        this.listenerFactory = listenerFactory;
        this.listeners = listeners;
        this.customizers = customizers;
        this.sslBundles = sslBundles;
        this.cleanupScheduler = cleanupScheduler;
    }

    /** The top-level pool: {@code pool.*}, its address from the {@link TcpConnectionDetails}. */
    TcpConnectionPool topLevel() {
        PoolSettings settings = PoolSettings.topLevel(properties);
        TcpConnectionDetails details = connectionDetails.getIfAvailable();
        if (details != null && !(details instanceof PropertiesTcpConnectionDetails)) {
            settings = settings.withAddress(
                    details.host(), details.port(), details.getClass().getName());
        }
        return build(settings);
    }

    /**
     * The pool under {@code pool.instances.<name>}.
     *
     * @param name the instance's key, which is also the pool's name
     * @return the new pool
     */
    TcpConnectionPool instance(String name) {
        return build(PoolSettings.instance(properties, name));
    }

    private TcpConnectionPool build(PoolSettings settings) {
        String name = settings.poolName();
        TcpConnectionPool.Builder builder =
                PoolPropertiesMapper.builder(settings).listener(listenerFor(name));
        PoolTls.apply(settings, sslBundles, builder);
        customizers.orderedStream().forEach(customizer -> customizer.customize(name, builder));
        TcpConnectionPool pool;
        try {
            pool = builder.build();
        } catch (InvalidSettingException e) {
            throw new IllegalStateException(
                    "A TcpConnectionPoolBuilderCustomizer left an invalid " + e.setting() + " on pool '" + name + "': "
                            + e.getMessage(),
                    e);
        }
        if (settings.bool("cleanup.enabled")) {
            cleanupScheduler.add(new PoolCleanupTask(pool, settings.duration("cleanup.interval")));
        } else {
            cleanupScheduler.logNoCleanup(
                    name, settings.setting("cleanup.enabled").property());
        }
        return pool;
    }

    private PoolListener listenerFor(String poolName) {
        List<PoolListener> all = new ArrayList<>();
        PoolListenerFactory factory = listenerFactory.getIfAvailable();
        if (factory != null) {
            all.add(factory.listenerFor(poolName));
        }
        listeners.orderedStream().forEach(all::add);
        return CompositePoolListener.of(all);
    }
}
