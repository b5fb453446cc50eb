package io.github.connectionpool.spring;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * One auto-configured pool's settings after inheritance, each with the property it came from: an instance's own
 * {@code pool.instances.<name>.*} value, else the top-level {@code pool.*} value (set or default). Knowing the property
 * is what lets a bad value be reported under the name the user wrote.
 */
final class PoolSettings {

    /**
     * A value and where it came from.
     *
     * @param value the value, {@code null} when unset
     * @param property the property that set it (or whose default it is), or, for a value from elsewhere (a
     *     {@link TcpConnectionDetails} bean), a description of that source
     * @param fromProperty whether {@code property} names a configuration property
     */
    record Setting(Object value, String property, boolean fromProperty) {}

    private final String poolName;
    private final String prefix; // "pool." or "pool.instances.<name>."
    private final Map<String, Setting> settings; // by key under the prefix: "max-size", "cleanup.interval"

    private PoolSettings(String poolName, String prefix, Map<String, Setting> settings) {
        this.poolName = poolName;
        this.prefix = prefix;
        this.settings = Collections.unmodifiableMap(settings);
    }

    /** The top-level pool's: {@code pool.*}. */
    static PoolSettings topLevel(PoolProperties properties) {
        Map<String, Setting> settings = new LinkedHashMap<>();
        settings.put("name", new Setting(properties.getName(), "pool.name", true));
        values(properties).forEach((key, value) -> settings.put(key, new Setting(value, "pool." + key, true)));
        return new PoolSettings(properties.getName(), "pool.", settings);
    }

    /** An instance's: {@code pool.instances.<name>.*}, then {@code pool.*}. */
    static PoolSettings instance(PoolProperties properties, String name) {
        PoolInstanceProperties instance = properties.getInstances().get(name);
        if (instance == null) {
            throw new IllegalStateException("No pool.instances." + name + " among "
                    + properties.getInstances().keySet());
        }
        Map<String, Setting> settings = new LinkedHashMap<>(topLevel(properties).settings);
        String prefix = "pool.instances." + name + ".";
        settings.put("name", new Setting(name, "the key of pool.instances." + name, false));
        values(instance).forEach((key, value) -> {
            if (value != null) {
                settings.put(key, new Setting(value, prefix + key, true));
            }
        });
        return new PoolSettings(name, prefix, settings);
    }

    /** The same settings with the address from {@code source} instead of the properties. */
    PoolSettings withAddress(String host, int port, String source) {
        Map<String, Setting> copy = new LinkedHashMap<>(settings);
        copy.put("host", new Setting(host, source + ".host()", false));
        copy.put("port", new Setting(port, source + ".port()", false));
        return new PoolSettings(poolName, prefix, copy);
    }

    String poolName() {
        return poolName;
    }

    Setting setting(String key) {
        Setting setting = settings.get(key);
        if (setting == null) {
            throw new IllegalArgumentException("no pool setting '" + key + "' in " + settings.keySet());
        }
        return setting;
    }

    /** Whether this pool has a setting of that key, as a builder's setting name maps to one. */
    boolean has(String key) {
        return settings.containsKey(key);
    }

    String host() {
        return (String) setting("host").value();
    }

    /**
     * The port.
     *
     * @throws InvalidConfigurationPropertyValueException naming this pool's port property when no port is set
     */
    int port() {
        Setting port = setting("port");
        if (port.value() == null) {
            String property = prefix + "port";
            throw new InvalidConfigurationPropertyValueException(
                    property,
                    null,
                    property + " is required: set it to the port of the server the pool '" + poolName + "' connects to"
                            + (property.equals("pool.port") ? "" : " (or pool.port for every pool)"));
        }
        return (Integer) port.value();
    }

    /**
     * Whether this pool's connections use TLS: {@code ssl.enabled} when set, except that a bundle the instance sets
     * itself turns TLS on over an {@code enabled} it only inherits; otherwise whether a bundle is set.
     */
    boolean tls() {
        Setting enabled = setting("ssl.enabled");
        Setting bundle = setting("ssl.bundle");
        boolean bundleIsCloser = bundle.value() != null && own(bundle) && !own(enabled);
        if (enabled.value() != null && !bundleIsCloser) {
            return (Boolean) enabled.value();
        }
        return bundle.value() != null;
    }

    /** Whether the setting was set for this pool itself, not inherited from {@code pool.*} by an instance. */
    private boolean own(Setting setting) {
        return setting.property().startsWith(prefix);
    }

    Duration duration(String key) {
        return (Duration) setting(key).value();
    }

    int integer(String key) {
        return (Integer) setting(key).value();
    }

    boolean bool(String key) {
        return (Boolean) setting(key).value();
    }

    /** A blank bundle name, as an empty YAML value or an empty environment variable gives, is no bundle. */
    private static String nameOrNull(String name) {
        return name == null || name.isBlank() ? null : name.trim();
    }

    private static Map<String, Object> values(PoolProperties p) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("host", p.getHost());
        values.put("port", p.getPort());
        values.put("max-size", p.getMaxSize());
        values.put("min-idle", p.getMinIdle());
        values.put("max-idle-time", p.getMaxIdleTime());
        values.put("max-lifetime", p.getMaxLifetime());
        values.put("connection-timeout", p.getConnectionTimeout());
        values.put("acquire-timeout", p.getAcquireTimeout());
        values.put("validation-timeout", p.getValidationTimeout());
        values.put("validation-bypass-window", p.getValidationBypassWindow());
        values.put("leak-detection-threshold", p.getLeakDetectionThreshold());
        values.put("strict-fifo-up-to", p.getStrictFifoUpTo());
        values.put("read-timeout", p.getReadTimeout());
        values.put("tcp-no-delay", p.isTcpNoDelay());
        values.put("keep-alive", p.isKeepAlive());
        values.put("ssl.enabled", p.getSsl().getEnabled());
        values.put("ssl.bundle", nameOrNull(p.getSsl().getBundle()));
        values.put("ssl.verify-hostname", p.getSsl().isVerifyHostname());
        values.put("cleanup.enabled", p.getCleanup().isEnabled());
        values.put("cleanup.interval", p.getCleanup().getInterval());
        return values;
    }

    private static Map<String, Object> values(PoolInstanceProperties i) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("host", i.host());
        values.put("port", i.port());
        values.put("max-size", i.maxSize());
        values.put("min-idle", i.minIdle());
        values.put("max-idle-time", i.maxIdleTime());
        values.put("max-lifetime", i.maxLifetime());
        values.put("connection-timeout", i.connectionTimeout());
        values.put("acquire-timeout", i.acquireTimeout());
        values.put("validation-timeout", i.validationTimeout());
        values.put("validation-bypass-window", i.validationBypassWindow());
        values.put("leak-detection-threshold", i.leakDetectionThreshold());
        values.put("strict-fifo-up-to", i.strictFifoUpTo());
        values.put("read-timeout", i.readTimeout());
        values.put("tcp-no-delay", i.tcpNoDelay());
        values.put("keep-alive", i.keepAlive());
        values.put("ssl.enabled", i.ssl() == null ? null : i.ssl().enabled());
        values.put("ssl.bundle", i.ssl() == null ? null : nameOrNull(i.ssl().bundle()));
        values.put("ssl.verify-hostname", i.ssl() == null ? null : i.ssl().verifyHostname());
        values.put("cleanup.enabled", i.cleanup() == null ? null : i.cleanup().enabled());
        values.put("cleanup.interval", i.cleanup() == null ? null : i.cleanup().interval());
        return values;
    }
}
