package io.github.connectionpool.sample;

import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.tcp.TcpConnectionPool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /echo?message=hello}: sends the message through a pooled connection and returns the echo. */
@RestController
public class EchoController {

    private static final int READ_TIMEOUT_MILLIS = 5_000;

    private final TcpConnectionPool pool;

    public EchoController(TcpConnectionPool pool) {
        this.pool = pool;
    }

    @GetMapping("/echo")
    public String echo(@RequestParam(defaultValue = "hello") String message) {
        try (PooledConnection<Socket> lease = pool.getConnection()) {
            try {
                Socket socket = lease.get();
                socket.setSoTimeout(READ_TIMEOUT_MILLIS);
                return LineProtocol.exchange(socket, message.replace('\n', ' '));
            } catch (IOException e) {
                lease.invalidate(); // a broken connection never goes back to the pool
                throw new UncheckedIOException(e);
            }
        }
    }
}
