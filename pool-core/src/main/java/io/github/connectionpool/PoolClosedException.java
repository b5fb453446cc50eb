package io.github.connectionpool;

/** The pool is closed: thrown to new borrowers and to every caller that was still waiting when it closed. */
public final class PoolClosedException extends PoolException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, naming the pool
     */
    public PoolClosedException(String message) {
        super(message, null);
    }
}
