package io.github.connectionpool.spring;

import io.github.connectionpool.CleanupConfig;
import io.github.connectionpool.tcp.TcpConnectionPool;
import java.time.Duration;
import java.util.Locale;
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
        } catch (IllegalArgumentException | NullPointerException e) {
            throw invalidSetting(settings, e);
        }
    }

    /**
     * The core names the setting first in its message ("maxSize must be ..."); map it to the property.
     * (InvalidSettingException.setting() will replace the message reading once the core has it.)
     */
    private static RuntimeException invalidSetting(PoolSettings settings, RuntimeException e) {
        String message = String.valueOf(e.getMessage());
        int end = message.indexOf(' ');
        String key = kebabCase(end > 0 ? message.substring(0, end) : message);
        if (!settings.has(key)) {
            return new IllegalStateException("Invalid settings of pool '" + settings.poolName() + "': " + message, e);
        }
        PoolSettings.Setting setting = settings.setting(key);
        if (!setting.fromProperty()) {
            return new IllegalStateException(
                    "Invalid " + key + " of pool '" + settings.poolName() + "' from " + setting.property() + ": "
                            + message,
                    e);
        }
        // No cause: this exception's constructor fixes it (to none), and its message already carries the core's.
        return new InvalidConfigurationPropertyValueException(
                setting.property(), setting.value(), setting.property() + ": " + message);
    }

    private static String kebabCase(String camelCase) {
        StringBuilder kebab = new StringBuilder(camelCase.length() + 4);
        for (char c : camelCase.toCharArray()) {
            if (Character.isUpperCase(c)) {
                kebab.append('-').append(Character.toLowerCase(c));
            } else {
                kebab.append(c);
            }
        }
        return kebab.toString().toLowerCase(Locale.ROOT);
    }
}
