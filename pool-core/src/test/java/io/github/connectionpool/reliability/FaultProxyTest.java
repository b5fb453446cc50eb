package io.github.connectionpool.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.connectionpool.testing.FaultProxy;
import io.github.connectionpool.testing.TestServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fault proxy itself, in front of an in-process echo server: each fault does what the other tests rely on. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FaultProxyTest {

    private TestServer server;
    private FaultProxy proxy;

    @BeforeEach
    void start() {
        server = TestServer.start();
        proxy = FaultProxy.to("127.0.0.1", server.port());
    }

    @AfterEach
    void stop() {
        proxy.close();
        server.close();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 2000);
        socket.setSoTimeout(2000);
        return socket;
    }

    private static String echo(Socket socket, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        socket.getOutputStream().write(bytes);
        return new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.US_ASCII);
    }

    @Test
    void forwardsBytesBothWaysAndCountsConnections() throws IOException {
        try (Socket a = connect();
                Socket b = connect()) {
            assertThat(echo(a, "hello")).isEqualTo("hello");
            assertThat(echo(b, "world")).isEqualTo("world");
            assertThat(proxy.accepted()).isEqualTo(2);
            assertThat(proxy.openNow()).isEqualTo(2);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.openNow() == 0 && server.open() == 0);
    }

    @Test
    void cutAllClosesBothSidesOfEveryConnectionAtOnce() throws IOException {
        try (Socket socket = connect()) {
            assertThat(echo(socket, "ping")).isEqualTo("ping");
            proxy.cutAll();
            assertThat(proxy.openNow()).isZero();
            assertThat(socket.getInputStream().read()).isEqualTo(-1); // the client sees end of stream
            await().atMost(Duration.ofSeconds(5)).until(() -> server.open() == 0); // and so does the server
        }
        try (Socket again = connect()) { // still accepting
            assertThat(echo(again, "pong")).isEqualTo("pong");
        }
    }

    @Test
    void refuseMakesConnectsFailAndHealListensOnTheSamePortAgain() throws IOException {
        try (Socket before = connect()) {
            // Through the proxy once first: a connection still in the accept backlog is reset by refuse().
            assertThat(echo(before, "first")).isEqualTo("first");
            proxy.refuse();
            assertThatThrownBy(this::connect).isInstanceOf(ConnectException.class);
            assertThat(echo(before, "still")).isEqualTo("still"); // open connections keep working
            proxy.heal();
            try (Socket after = connect()) {
                assertThat(after.getPort()).isEqualTo(proxy.port());
                assertThat(echo(after, "again")).isEqualTo("again");
            }
        }
    }

    @Test
    void blackholeAcceptsButForwardsNothingUntilHealed() throws IOException {
        try (Socket old = connect()) {
            assertThat(echo(old, "a")).isEqualTo("a");
            proxy.blackhole();
            try (Socket fresh = connect()) { // accepted all the same
                fresh.setSoTimeout(300);
                fresh.getOutputStream().write('x');
                assertThatThrownBy(() -> fresh.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            }
            old.setSoTimeout(300);
            old.getOutputStream().write('b');
            assertThatThrownBy(() -> old.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            proxy.heal();
            old.setSoTimeout(2000);
            assertThat(old.getInputStream().read()).isEqualTo('b'); // held, then forwarded
        }
    }

    @Test
    void latencyDelaysEveryForwardedChunk() throws IOException {
        try (Socket socket = connect()) {
            proxy.latency(Duration.ofMillis(150));
            long start = System.nanoTime();
            assertThat(echo(socket, "slow")).isEqualTo("slow");
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(elapsedMillis).isGreaterThanOrEqualTo(300); // one chunk up, one chunk down
            proxy.heal();
            start = System.nanoTime();
            assertThat(echo(socket, "fast")).isEqualTo("fast");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(150);
        }
    }
}
