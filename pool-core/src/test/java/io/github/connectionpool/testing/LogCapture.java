package io.github.connectionpool.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Records the events of one logger (and its children) with a logback {@link ListAppender}, safely readable while pool
 * threads still log. Close it to detach the appender.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(String loggerName) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
        appender.list = new CopyOnWriteArrayList<>();
        appender.setName("capture-" + loggerName);
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
    }

    /** Captures the logger named after a class. */
    public static LogCapture of(Class<?> type) {
        return new LogCapture(type.getName());
    }

    /**
     * Captures every logger of the pool ({@code io.github.connectionpool} and below), as a user filtering on the
     * library's loggers would: which internal class logs a line is not part of what a test checks.
     */
    public static LogCapture ofPool() {
        return new LogCapture("io.github.connectionpool");
    }

    /** Captures the logger with this name. */
    public static LogCapture of(String loggerName) {
        return new LogCapture(loggerName);
    }

    /** Every event so far. */
    public List<ILoggingEvent> events() {
        return List.copyOf(appender.list);
    }

    /** The events at exactly this level. */
    public List<ILoggingEvent> at(Level level) {
        return appender.list.stream().filter(e -> e.getLevel() == level).collect(Collectors.toList());
    }

    /** The formatted messages of the events at exactly this level. */
    public List<String> messages(Level level) {
        return at(level).stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
    }

    /** The events at this level whose formatted message contains {@code text}. */
    public List<ILoggingEvent> events(Level level, String text) {
        return at(level).stream()
                .filter(e -> e.getFormattedMessage().contains(text))
                .collect(Collectors.toList());
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
