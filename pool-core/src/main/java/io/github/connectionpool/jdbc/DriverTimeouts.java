package io.github.connectionpool.jdbc;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Hands the pool's connection timeout to the JDBC driver, in the driver's own properties, so that a creation ends by
 * itself instead of holding a pool slot while a server does not answer.
 *
 * <p>JDBC's one generic knob, {@link java.sql.DriverManager#setLoginTimeout(int)}, is global to the JVM, so it is left
 * alone. Instead, for the drivers known here, the properties below are added to each connect, unless the user set them
 * (as a property or in the URL, in any case):
 *
 * <ul>
 *   <li>PostgreSQL ({@code jdbc:postgresql:}): {@code loginTimeout} in seconds with a fraction, which bounds the whole
 *       connect call; {@code connectTimeout} in whole seconds, for the TCP connect; and {@code socketTimeout} in whole
 *       seconds for the connect only, which ends the driver's own connect thread as well (it keeps reading after the
 *       login timeout otherwise): once connected, the connection's network timeout is set back to none
 *       ({@link java.sql.Connection#setNetworkTimeout}), as if {@code socketTimeout} had never been set.
 *   <li>MariaDB ({@code jdbc:mariadb:}): {@code connectTimeout} in milliseconds, which the driver applies to the TCP
 *       connect and to every read until the connection is set up.
 * </ul>
 *
 * Other drivers get nothing: set their own timeout properties with {@link JdbcConnectionPool.Builder#property}.
 *
 * <p>The timeout handed over is the connection timeout plus half of it, at most one second more (as for the TCP pool):
 * the pool's own timer ends the caller's wait at the connection timeout, and the driver's ends the creation soon after.
 * Whole seconds are rounded up; values are capped at about 24 days (what the drivers' millisecond arithmetic holds).
 */
final class DriverTimeouts {

    private static final long MAX_BACKSTOP_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The drivers multiply seconds by 1000 in an {@code int}. */
    private static final long MAX_SECONDS = Integer.MAX_VALUE / 1000;

    private DriverTimeouts() {}

    /** How long a creation may take before the driver ends it: see the class comment. */
    static long creationLimitNanos(Duration connectionTimeout) {
        long timeout;
        try {
            timeout = connectionTimeout.toNanos();
        } catch (ArithmeticException e) {
            timeout = Long.MAX_VALUE;
        }
        long backstop = Math.min(timeout / 2, MAX_BACKSTOP_NANOS);
        return timeout > Long.MAX_VALUE - backstop ? Long.MAX_VALUE : timeout + backstop;
    }

    /**
     * Adds the driver's timeout properties for a connect that must end within {@code limitNanos}.
     *
     * @return true when a {@code socketTimeout} was added for the connect only: the caller sets the connection's network
     *     timeout back to none once connected
     */
    static boolean apply(String url, Properties properties, long limitNanos) {
        String scheme = url.toLowerCase(Locale.ROOT);
        if (scheme.startsWith("jdbc:postgresql:")) {
            long millis = Math.min(TimeUnit.NANOSECONDS.toMillis(limitNanos), MAX_SECONDS * 1000);
            long seconds = Math.max(1, (millis + 999) / 1000);
            setUnlessSet(
                    url,
                    properties,
                    "loginTimeout",
                    BigDecimal.valueOf(Math.max(1, millis), 3).toPlainString());
            setUnlessSet(url, properties, "connectTimeout", Long.toString(seconds));
            return setUnlessSet(url, properties, "socketTimeout", Long.toString(seconds));
        }
        if (scheme.startsWith("jdbc:mariadb:")) {
            long millis = Math.min(TimeUnit.NANOSECONDS.toMillis(limitNanos), Integer.MAX_VALUE);
            setUnlessSet(url, properties, "connectTimeout", Long.toString(Math.max(1, millis)));
        }
        return false;
    }

    private static boolean setUnlessSet(String url, Properties properties, String key, String value) {
        if (isSet(url, properties, key)) {
            return false;
        }
        properties.setProperty(key, value);
        return true;
    }

    /** Whether the user set this property, as a property or as a URL parameter, whatever the case of its name. */
    static boolean isSet(String url, Properties properties, String key) {
        for (String name : properties.stringPropertyNames()) {
            if (name.equalsIgnoreCase(key)) {
                return true;
            }
        }
        int query = url.indexOf('?');
        if (query < 0) {
            return false;
        }
        for (String parameter : url.substring(query + 1).split("[&;]")) {
            int equals = parameter.indexOf('=');
            String name = equals < 0 ? parameter : parameter.substring(0, equals);
            if (name.trim().equalsIgnoreCase(key)) {
                return true;
            }
        }
        return false;
    }
}
