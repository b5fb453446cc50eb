package io.github.connectionpool.jdbc;

import io.github.connectionpool.ConnectionPool;
import io.github.connectionpool.InvalidSettingException;
import io.github.connectionpool.PoolBuilder;
import io.github.connectionpool.PoolConfig;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A pool of JDBC connections, with the checks and the reset of {@link JdbcConnector}.
 *
 * <pre>{@code
 * try (JdbcConnectionPool pool = JdbcConnectionPool.builder("jdbc:postgresql://127.0.0.1:5432/test")
 *                 .property("user", "postgres")
 *                 .maxSize(8)
 *                 .build();
 *         PooledConnection<Connection> lease = pool.getConnection();
 *         Statement statement = lease.get().createStatement()) {
 *     statement.execute("select 1");
 * }
 * }</pre>
 *
 * <p><b>Connection timeout.</b> The pool ends a caller's wait for a new connection at its connection timeout, but a
 * driver blocked in its connect (a server that accepts and never answers) keeps the creation, and the slot it holds,
 * going. So the pool hands the timeout (plus half of it, at most one second more) to the driver, in the driver's own
 * properties, unless you set them yourself as a property or in the URL: PostgreSQL gets {@code loginTimeout},
 * {@code connectTimeout} and, for the connect only, {@code socketTimeout} (the connection's network timeout is set back
 * to none once connected); MariaDB gets {@code connectTimeout}. For other drivers, set their connect and login timeouts
 * with {@link Builder#property(String, String)}. The JVM-wide {@link java.sql.DriverManager#setLoginTimeout(int)} is
 * left alone.
 */
public class JdbcConnectionPool extends ConnectionPool<Connection, JdbcParams> {

    /**
     * Creates a JDBC pool from a builder.
     *
     * @param builder the settings
     * @throws InvalidSettingException naming the first bad setting
     */
    protected JdbcConnectionPool(Builder builder) {
        super(builder);
    }

    /**
     * Starts a builder.
     *
     * @param url the JDBC URL
     * @return a new builder; the pool's name defaults to {@code jdbc}
     */
    public static Builder builder(String url) {
        return new Builder(url);
    }

    /**
     * Builds a {@link JdbcConnectionPool}: the shared settings of {@link PoolBuilder} plus driver properties. A bad
     * setting is refused with an {@link InvalidSettingException} naming it: {@code "url"}, {@code "property"}, or one of
     * {@link PoolBuilder}'s.
     */
    public static final class Builder extends PoolBuilder<Connection, JdbcParams, Builder> {

        private final String url;
        private final Map<String, String> properties = new LinkedHashMap<>();

        Builder(String url) {
            this.url = url;
            name("jdbc");
        }

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * Adds a driver property, such as {@code user}, {@code password} or a driver option.
         *
         * @param key the property name
         * @param value its value
         * @return this builder
         * @throws InvalidSettingException for {@code "property"} when the name is blank or the value null
         */
        public Builder property(String key, String value) {
            if (key == null || key.isBlank()) {
                throw new InvalidSettingException(
                        "property", key, "property names must not be blank, but was '" + key + "'");
            }
            if (value == null) {
                throw new InvalidSettingException(
                        "property", null, "property '" + key + "' must have a value, but was null");
            }
            properties.put(key, value);
            return this;
        }

        /**
         * Checks the settings and starts the pool; no connection is opened until one is needed.
         *
         * @return the new pool
         * @throws InvalidSettingException naming the first bad setting, or {@code "url"} for a URL that is not a JDBC URL
         */
        public JdbcConnectionPool build() {
            PoolConfig config = toConfig();
            JdbcConnector connector = new JdbcConnector(config.validationTimeout(), config.connectionTimeout());
            parts(new JdbcParams(url, properties), connector, connector);
            if (!hasResetter()) {
                resetOnReturn(connector);
            }
            return new JdbcConnectionPool(this);
        }
    }
}
