package io.github.connectionpool.testing;

import java.util.concurrent.atomic.AtomicInteger;

/** A connection that knows whether it is open and how often it was closed. */
public final class TestConnection implements AutoCloseable {
    private final int id;
    private final AtomicInteger closes = new AtomicInteger();
    private volatile boolean healthy = true;

    public TestConnection(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    public boolean isClosed() {
        return closes.get() > 0;
    }

    public int closeCount() {
        return closes.get();
    }

    public boolean isHealthy() {
        return healthy && !isClosed();
    }

    public void breakIt() {
        healthy = false;
    }

    @Override
    public void close() {
        closes.incrementAndGet();
    }

    @Override
    public String toString() {
        return "TestConnection#" + id;
    }
}
