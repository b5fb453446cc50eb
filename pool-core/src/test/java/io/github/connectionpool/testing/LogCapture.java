package io.github.connectionpool.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Records what one logger writes, for tests that assert log lines. Close it to stop recording.
 *
 * <pre>{@code
 * try (LogCapture log = LogCapture.of("io.github.connectionpool.internal.LeakDetector")) {
 *     ...
 *     assertThat(log.events(Level.WARN, "my-pool")).hasSize(1);
 * }
 * }</pre>
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(String loggerName) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
        appender.start();
        logger.addAppender(appender);
    }

    /** Starts recording the logger of that name (and its children). */
    public static LogCapture of(String loggerName) {
        return new LogCapture(loggerName);
    }

    /** Every event recorded so far. */
    public List<ILoggingEvent> events() {
        synchronized (appender) { // ListAppender appends under its own lock
            return List.copyOf(appender.list);
        }
    }

    /** The events of that level whose formatted message contains {@code text}. */
    public List<ILoggingEvent> events(Level level, String text) {
        return events().stream()
                .filter(e -> e.getLevel() == level && e.getFormattedMessage().contains(text))
                .collect(Collectors.toList());
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
