package io.github.connectionpool.sample;

import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.tcp.TcpConnectionPool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /echo?message=hello}: sends the message through a connection of the top-level pool and returns the echo;
 * {@code GET /echo/backup?message=hello} does the same through the {@code backup} pool. Each pool's sockets carry its
 * {@code read-timeout}, so a server that stops answering fails the request instead of holding its thread.
 */
@RestController
public class EchoController {

    private final TcpConnectionPool pool;
    private final TcpConnectionPool backup;

    public EchoController(TcpConnectionPool pool, @Qualifier("backup") TcpConnectionPool backup) {
        this.pool = pool; // the top-level pool: @Primary beside the instances
        this.backup = backup;
    }

    @GetMapping("/echo")
    public String echo(@RequestParam(defaultValue = "hello") String message) {
        return exchange(pool, message);
    }

    @GetMapping("/echo/backup")
    public String echoBackup(@RequestParam(defaultValue = "hello") String message) {
        return exchange(backup, message);
    }

    private static String exchange(TcpConnectionPool pool, String message) {
        try (PooledConnection<Socket> lease = pool.getConnection()) {
            try {
                return LineProtocol.exchange(lease.get(), message.replace('\n', ' '));
            } catch (IOException e) {
                lease.invalidate(); // a broken or timed-out connection never goes back to the pool
                throw new UncheckedIOException(e);
            }
        }
    }
}
