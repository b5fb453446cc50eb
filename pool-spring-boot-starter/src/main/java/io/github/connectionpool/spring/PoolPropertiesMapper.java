package io.github.connectionpool.spring;

import io.github.connectionpool.CleanupConfig;
import io.github.connectionpool.PoolListener;
import io.github.connectionpool.tcp.TcpConnectionPool;
import java.time.Duration;
import java.util.Locale;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Turns {@link PoolProperties} into a {@link TcpConnectionPool}, reporting a bad setting under its property name so
 * that Spring Boot's failure analysis names {@code pool.xxx}, not the builder's method.
 */
final class PoolPropertiesMapper {

    private PoolPropertiesMapper() {}

    /**
     * Builds the pool with its own cleanup thread off: the scheduled {@link PoolCleanupTask} drives the cleanup.
     *
     * @throws InvalidConfigurationPropertyValueException naming the first bad property
     */
    static TcpConnectionPool build(PoolProperties properties, PoolListener listener) {
        Integer port = properties.getPort();
        if (port == null) {
            throw new InvalidConfigurationPropertyValueException(
                    "pool.port", null, "pool.port is required: set it to the port of the server the pool connects to");
        }
        Duration interval = properties.getCleanup().getInterval();
        if (properties.getCleanup().isEnabled() && interval != null && !interval.isNegative() && interval.isZero()) {
            // The core accepts a zero interval for a disabled cleanup; the scheduled task here would run without pause.
            throw new InvalidConfigurationPropertyValueException(
                    "pool.cleanup.interval", interval, "pool.cleanup.interval must be positive while the cleanup runs");
        }
        try {
            return TcpConnectionPool.builder(properties.getHost(), port)
                    .name(properties.getName())
                    .maxSize(properties.getMaxSize())
                    .minIdle(properties.getMinIdle())
                    .maxIdleTime(properties.getMaxIdleTime())
                    .maxLifetime(properties.getMaxLifetime())
                    .connectionTimeout(properties.getConnectionTimeout())
                    .acquireTimeout(properties.getAcquireTimeout())
                    .validationTimeout(properties.getValidationTimeout())
                    .validationBypassWindow(properties.getValidationBypassWindow())
                    .leakDetectionThreshold(properties.getLeakDetectionThreshold())
                    .strictFifoUpTo(properties.getStrictFifoUpTo())
                    .cleanup(CleanupConfig.disabled().withInterval(PoolCleanupTask.saturated(interval)))
                    .listener(listener)
                    .build();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw invalidProperty(properties, e);
        }
    }

    /** The core names the setting first in its message ("maxSize must be ..."); map it to the property. */
    private static RuntimeException invalidProperty(PoolProperties properties, RuntimeException e) {
        String message = String.valueOf(e.getMessage());
        int end = message.indexOf(' ');
        String setting = end > 0 ? message.substring(0, end) : message;
        String property = "pool." + kebabCase(setting);
        Object value = valueOf(properties, property);
        if (value == NO_SUCH_PROPERTY) {
            return new IllegalStateException("Invalid pool.* configuration: " + message, e);
        }
        // No cause: this exception's constructor fixes it (to none), and its message already carries the core's.
        return new InvalidConfigurationPropertyValueException(property, value, property + ": " + message);
    }

    private static final Object NO_SUCH_PROPERTY = new Object();

    private static Object valueOf(PoolProperties p, String property) {
        return switch (property) {
            case "pool.name" -> p.getName();
            case "pool.host" -> p.getHost();
            case "pool.port" -> p.getPort();
            case "pool.max-size" -> p.getMaxSize();
            case "pool.min-idle" -> p.getMinIdle();
            case "pool.max-idle-time" -> p.getMaxIdleTime();
            case "pool.max-lifetime" -> p.getMaxLifetime();
            case "pool.connection-timeout" -> p.getConnectionTimeout();
            case "pool.acquire-timeout" -> p.getAcquireTimeout();
            case "pool.validation-timeout" -> p.getValidationTimeout();
            case "pool.validation-bypass-window" -> p.getValidationBypassWindow();
            case "pool.leak-detection-threshold" -> p.getLeakDetectionThreshold();
            case "pool.strict-fifo-up-to" -> p.getStrictFifoUpTo();
            case "pool.cleanup.interval" -> p.getCleanup().getInterval();
            default -> NO_SUCH_PROPERTY;
        };
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
