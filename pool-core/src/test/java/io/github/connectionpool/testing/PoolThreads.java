package io.github.connectionpool.testing;

import java.util.List;
import java.util.stream.Collectors;

/** Looks up the live threads a pool owns, by the prefix of their names. */
public final class PoolThreads {
    private PoolThreads() {}

    /** Names of the live threads whose names start with {@code prefix}. */
    public static List<String> alive(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith(prefix))
                .collect(Collectors.toList());
    }
}
