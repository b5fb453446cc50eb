package io.github.connectionpool.jdbc;

import io.github.connectionpool.ConnectionPool;
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
 */
public class JdbcConnectionPool extends ConnectionPool<Connection, JdbcParams> {

    /**
     * Creates a JDBC pool from a builder.
     *
     * @param builder the settings
     * @throws IllegalArgumentException naming the first bad setting
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

    /** Builds a {@link JdbcConnectionPool}: the shared settings of {@link PoolBuilder} plus driver properties. */
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
         */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        /**
         * Checks the settings and starts the pool; no connection is opened until one is needed.
         *
         * @return the new pool
         * @throws IllegalArgumentException naming the first bad setting or a URL that is not a JDBC URL
         */
        public JdbcConnectionPool build() {
            PoolConfig config = toConfig();
            JdbcConnector connector = new JdbcConnector(config.validationTimeout());
            parts(new JdbcParams(url, properties), connector, connector);
            if (!hasResetter()) {
                resetOnReturn(connector);
            }
            return new JdbcConnectionPool(this);
        }
    }
}
