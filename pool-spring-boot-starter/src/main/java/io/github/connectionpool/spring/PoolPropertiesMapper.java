package io.github.connectionpool.spring;

import io.github.connectionpool.CleanupConfig;
import io.github.connectionpool.InvalidSettingException;
import io.github.connectionpool.tcp.TcpConnectionPool;
import java.time.Duration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Turns one pool's {@link PoolSettings} into a checked {@link TcpConnectionPool.Builder}, reporting a bad setting
 * under its property name ({@code pool.max-size}, {@code pool.instances.orders.max-size}) so that Spring Boot's
 * failure analysis names the property, not the builder's method.
 */
final class PoolPropertiesMapper {

    private PoolPropertiesMapper() {}

    /**
     * A builder with every setting applied and checked, and the pool's own cleanup thread off: a Spring scheduler runs
     * the cleanup (see {@link PoolCleanupScheduler}).
     *
     * @throws InvalidConfigurationPropertyValueException naming the first bad property
     * @throws IllegalStateException when a value that came from elsewhere (a {@link TcpConnectionDetails}) is bad
     */
    static TcpConnectionPool.Builder builder(PoolSettings settings) {
        Duration interval = settings.duration("cleanup.interval");
        if (settings.bool("cleanup.enabled") && interval != null && interval.isZero()) {
            // The core accepts a zero interval for a disabled cleanup; the scheduled task here would run without pause.
            PoolSettings.Setting setting = settings.setting("cleanup.interval");
            throw new InvalidConfigurationPropertyValueException(
                    setting.property(), interval, setting.property() + " must be positive while the cleanup runs");
        }
        try {
            TcpConnectionPool.Builder builder = TcpConnectionPool.builder(settings.host(), settings.port())
                    .name(settings.poolName())
                    .maxSize(settings.integer("max-size"))
                    .minIdle(settings.integer("min-idle"))
                    .maxIdleTime(settings.duration("max-idle-time"))
                    .maxLifetime(settings.duration("max-lifetime"))
                    .connectionTimeout(settings.duration("connection-timeout"))
                    .acquireTimeout(settings.duration("acquire-timeout"))
                    .validationTimeout(settings.duration("validation-timeout"))
                    .validationBypassWindow(settings.duration("validation-bypass-window"))
                    .leakDetectionThreshold(settings.duration("leak-detection-threshold"))
                    .strictFifoUpTo(settings.integer("strict-fifo-up-to"))
                    .readTimeout(settings.duration("read-timeout"))
                    .tcpNoDelay(settings.bool("tcp-no-delay"))
                    .keepAlive(settings.bool("keep-alive"))
                    .cleanup(CleanupConfig.disabled().withInterval(PoolCleanupTask.saturated(interval)));
            builder.toConfig(); // checks every setting now, before any customizer adds its own
            return builder;
        } catch (InvalidSettingException e) {
            throw invalidSetting(settings, e);
        }
    }

    /** The refused setting reported under the property its value came from. */
    private static RuntimeException invalidSetting(PoolSettings settings, InvalidSettingException e) {
        String key = propertyKey(e.setting());
        if (!settings.has(key)) { // not a setting the properties set: a bug here rather than bad input
            return new IllegalStateException(
                    "Invalid " + e.setting() + " of pool '" + settings.poolName() + "': " + e.getMessage(), e);
        }
        PoolSettings.Setting setting = settings.setting(key);
        if (!setting.fromProperty()) {
            return new IllegalStateException(
                    "Invalid " + key + " of pool '" + settings.poolName() + "' from " + setting.property() + ": "
                            + e.getMessage(),
                    e);
        }
        // No cause: this exception's constructor fixes it (to none), and its reason is the core's message, which names
        // the builder's setting; the property is this exception's name, which every message built from it shows.
        return new InvalidConfigurationPropertyValueException(setting.property(), setting.value(), e.getMessage());
    }

    /**
     * The key under {@code pool.} of the property that sets a builder setting: {@code "maxSize"} is
     * {@code "max-size"}, {@code "cleanup.interval"} stays as it is.
     *
     * @param setting the builder's name for it, {@link InvalidSettingException#setting()}
     * @return the property's key
     */
    static String propertyKey(String setting) {
        StringBuilder kebab = new StringBuilder(setting.length() + 4);
        for (char c : setting.toCharArray()) {
            if (Character.isUpperCase(c)) {
                kebab.append('-').append(Character.toLowerCase(c));
            } else {
                kebab.append(c);
            }
        }
        return kebab.toString();
    }
}
