package io.github.connectionpool.testing;

import java.util.concurrent.CountDownLatch;

/** Waits the way a blocking connect does: an interrupt does not end it (the status is kept for afterwards). */
public final class Uninterruptibly {
    private Uninterruptibly() {}

    /** Waits until the latch opens, whatever interrupts come meanwhile. */
    public static void await(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
