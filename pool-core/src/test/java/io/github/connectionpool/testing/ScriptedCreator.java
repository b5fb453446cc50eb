package io.github.connectionpool.testing;

import io.github.connectionpool.ConnectionCreator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A creator whose every call returns a future the test completes when it chooses ({@link #succeed}, {@link #fail}):
 * the order of creation outcomes is the test's.
 */
public final class ScriptedCreator implements ConnectionCreator<TestConnection, String> {

    private final List<CompletableFuture<TestConnection>> calls = new CopyOnWriteArrayList<>();
    private final List<TestConnection> made = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();

    @Override
    public CompletionStage<TestConnection> createConnection(String params) {
        CompletableFuture<TestConnection> call = new CompletableFuture<>();
        calls.add(call);
        return call;
    }

    /** How many times the pool called the creator. */
    public int calls() {
        return calls.size();
    }

    /** Completes the {@code n}-th call (from 1) with a new connection, and returns it. */
    public TestConnection succeed(int n) {
        TestConnection connection = new TestConnection(ids.incrementAndGet());
        made.add(connection);
        calls.get(n - 1).complete(connection);
        return connection;
    }

    /** Fails the {@code n}-th call (from 1) with {@code error}. */
    public void fail(int n, Throwable error) {
        calls.get(n - 1).completeExceptionally(error);
    }

    /** The connections made so far. */
    public List<TestConnection> made() {
        return made;
    }
}
