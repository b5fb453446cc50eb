/**
 * JDBC connections through the generic pool: {@link io.github.connectionpool.jdbc.JdbcConnectionPool}, or its parts
 * {@link io.github.connectionpool.jdbc.JdbcConnector} for a pool of your own. Needs a JDBC driver on the class path,
 * and nothing else: the pool does not depend on any driver.
 */
package io.github.connectionpool.jdbc;
