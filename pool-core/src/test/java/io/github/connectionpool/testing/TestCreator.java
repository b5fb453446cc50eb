package io.github.connectionpool.testing;

import io.github.connectionpool.ConnectionCreator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A creator whose behaviour a test switches: succeed, throw, fail its stage, or never complete. It remembers every
 * connection it made and tracks how many are alive (made and not closed) at most.
 */
public final class TestCreator implements ConnectionCreator<TestConnection, String> {

    /** What the next creations do. */
    public enum Mode {
        SUCCEED,
        THROW,
        FAIL_STAGE,
        NEVER_COMPLETE
    }

    private final List<TestConnection> made = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<TestConnection>> hanging = new CopyOnWriteArrayList<>();
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile Mode mode = Mode.SUCCEED;
    private volatile Function<Integer, TestConnection> factory = TestConnection::new;

    public void mode(Mode mode) {
        this.mode = mode;
    }

    @Override
    public CompletionStage<TestConnection> createConnection(String params) {
        attempts.incrementAndGet();
        switch (mode) {
            case THROW:
                throw new IllegalStateException("creator threw on purpose");
            case FAIL_STAGE:
                return CompletableFuture.failedFuture(new java.io.IOException("connection refused on purpose"));
            case NEVER_COMPLETE:
                CompletableFuture<TestConnection> never = new CompletableFuture<>();
                hanging.add(never);
                return never;
            default:
                TestConnection connection = factory.apply(ids.incrementAndGet());
                made.add(connection);
                return CompletableFuture.completedFuture(connection);
        }
    }

    /** Completes every hanging creation now, as a creator that answers too late would. */
    public List<TestConnection> completeHanging() {
        List<TestConnection> late = new CopyOnWriteArrayList<>();
        for (CompletableFuture<TestConnection> future : hanging) {
            TestConnection connection = new TestConnection(ids.incrementAndGet());
            made.add(connection);
            late.add(connection);
            future.complete(connection);
        }
        hanging.clear();
        return late;
    }

    /** Completes the oldest hanging creation now, and returns its connection. */
    public TestConnection completeOneHanging() {
        CompletableFuture<TestConnection> future = hanging.remove(0);
        TestConnection connection = new TestConnection(ids.incrementAndGet());
        made.add(connection);
        future.complete(connection);
        return connection;
    }

    public List<TestConnection> made() {
        return made;
    }

    public int attempts() {
        return attempts.get();
    }

    /** Connections made and not closed yet. */
    public long open() {
        return made.stream().filter(c -> !c.isClosed()).count();
    }
}
