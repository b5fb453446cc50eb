/**
 * A ready pool of TCP sockets: {@link io.github.connectionpool.tcp.TcpConnectionPool}.
 */
package io.github.connectionpool.tcp;
