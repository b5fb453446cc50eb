/**
 * A ready pool of TCP sockets, plain or TLS: {@link io.github.connectionpool.tcp.TcpConnectionPool}.
 */
package io.github.connectionpool.tcp;
