package io.github.connectionpool.testing;

import io.github.connectionpool.ConnectionCloser;
import io.github.connectionpool.ConnectionCreator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A creator and closer pair that counts the connections alive at any moment, independently of the pool's own
 * statistics, and remembers the highest count. It also gives each connection an "in use" flag, so that a test can
 * prove that no connection is ever lent to two borrowers at once.
 *
 * <p>Use {@link #creator()} and {@link #closer()} in the pool's builder. A test that detaches a connection calls
 * {@link #detaching(TestConnection)} right before {@code detach()}: from then on the connection is the test's, not the
 * pool's, so it no longer counts as live.
 */
public final class LiveConnections {

    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicInteger live = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicInteger doubleLends = new AtomicInteger();
    private final AtomicInteger closedLends = new AtomicInteger();
    private final Map<TestConnection, AtomicBoolean> inUse = new ConcurrentHashMap<>();

    /** Makes a connection at once, counting it as live. */
    public ConnectionCreator<TestConnection, String> creator() {
        return params -> {
            TestConnection connection = new TestConnection(ids.incrementAndGet());
            inUse.put(connection, new AtomicBoolean());
            peak.accumulateAndGet(live.incrementAndGet(), Math::max);
            CompletionStage<TestConnection> stage = CompletableFuture.completedFuture(connection);
            return stage;
        };
    }

    /** Closes a connection, counting it as no longer live. */
    public ConnectionCloser<TestConnection> closer() {
        return connection -> {
            connection.close();
            live.decrementAndGet();
        };
    }

    /** Called right before a borrower detaches a connection: the pool stops owning it. */
    public void detaching(TestConnection connection) {
        live.decrementAndGet();
    }

    /** Marks a connection as lent; records a double lend when it already was, or a lend of a closed connection. */
    public void borrowed(TestConnection connection) {
        if (connection.isClosed()) {
            closedLends.incrementAndGet();
        }
        if (!inUse.get(connection).compareAndSet(false, true)) {
            doubleLends.incrementAndGet();
        }
    }

    /** Marks a connection as no longer lent; call it before giving the connection back in any way. */
    public void returning(TestConnection connection) {
        if (!inUse.get(connection).compareAndSet(true, false)) {
            doubleLends.incrementAndGet();
        }
    }

    /** Connections the pool made and has not closed or let go. */
    public int live() {
        return live.get();
    }

    /** The highest {@link #live()} ever seen. */
    public int peak() {
        return peak.get();
    }

    /** How often a connection was lent while lent already (or given back while not lent). */
    public int doubleLends() {
        return doubleLends.get();
    }

    /** How often a closed connection was lent. */
    public int closedLends() {
        return closedLends.get();
    }

    /** How many connections were made. */
    public int made() {
        return ids.get();
    }
}
