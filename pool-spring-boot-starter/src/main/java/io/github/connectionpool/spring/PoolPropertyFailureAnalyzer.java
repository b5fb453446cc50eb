package io.github.connectionpool.spring;

import java.time.Duration;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.origin.Origin;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Turns a start-up failure on a missing or invalid {@code pool.*} property into Boot's "APPLICATION FAILED TO START"
 * report: the Description names the property, its value and where it was set (and, for {@code ssl.bundle}, the bundle
 * and what is wrong with it); the Action says what to set, and that {@code pool.enabled=false} turns the starter off.
 * Registered in {@code META-INF/spring.factories}; ahead of Boot's own analyzers of the same exceptions, and only for
 * {@code pool.*} properties.
 */
final class PoolPropertyFailureAnalyzer implements FailureAnalyzer, Ordered {

    private static final String TURN_OFF = "To start without the connection pool starter, set pool.enabled=false.";

    private final Environment environment;

    PoolPropertyFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public FailureAnalysis analyze(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PoolSslBundleException ssl) {
                return ssl.isUnknownBundle() ? unknownBundle(ssl) : unusableBundle(ssl);
            }
            if (t instanceof InvalidConfigurationPropertyValueException invalid && isPoolProperty(invalid.getName())) {
                return invalid.getValue() == null ? missing(invalid) : invalid(invalid);
            }
            if (t instanceof BindException bind && isPoolProperty(bind.getName().toString())) {
                return unreadable(bind);
            }
        }
        return null;
    }

    private FailureAnalysis missing(InvalidConfigurationPropertyValueException e) {
        String property = e.getName();
        String description = "The connection pool property '" + property + "' is not set: " + e.getReason();
        String action = "Set " + property + " to the port of the server the pool connects to (1 to 65535), e.g. "
                + property + "=6379 in application.properties"
                + (property.equals("pool.port")
                        ? ", or define a TcpConnectionDetails bean that supplies the address. "
                        : ", or set pool.port for every pool. ")
                + TURN_OFF;
        return new FailureAnalysis(description, action, e);
    }

    private FailureAnalysis invalid(InvalidConfigurationPropertyValueException e) {
        String property = e.getName();
        String description = "Invalid value '" + e.getValue() + "' for the connection pool property '" + property + "'"
                + origin(property) + ": " + e.getReason();
        String action = "Set " + property + " to a valid value (" + e.getReason() + "). " + TURN_OFF;
        return new FailureAnalysis(description, action, e);
    }

    private FailureAnalysis unknownBundle(PoolSslBundleException e) {
        String property = e.getProperty();
        String bundle = e.getBundleName();
        String description = "The connection pool property '" + property + "'" + origin(property)
                + " names the SSL bundle '" + bundle + "', which is not defined. "
                + (e.getDefinedBundles().isEmpty()
                        ? "No SSL bundle is defined."
                        : "Defined bundles: " + e.getDefinedBundles() + ".");
        String action = "Define the bundle under spring.ssl.bundle.jks." + bundle + ".* or spring.ssl.bundle.pem."
                + bundle + ".*, or set " + property + " to a defined bundle (or leave it unset and set "
                + property.replace(".bundle", ".enabled") + "=true to trust the JDK's CAs). " + TURN_OFF;
        return new FailureAnalysis(description, action, e);
    }

    private FailureAnalysis unusableBundle(PoolSslBundleException e) {
        String property = e.getProperty();
        String bundle = e.getBundleName();
        String description = "The SSL bundle '" + bundle + "', named by the connection pool property '" + property + "'"
                + origin(property) + ", cannot be used: " + e.getReason();
        String action = "Check the stores of spring.ssl.bundle.jks." + bundle + " or spring.ssl.bundle.pem." + bundle
                + ": their location, password and type. " + TURN_OFF;
        return new FailureAnalysis(description, action, e);
    }

    private FailureAnalysis unreadable(BindException e) {
        String property = e.getName().toString();
        ConfigurationProperty bound = e.getProperty();
        Object value = bound != null ? bound.getValue() : null;
        Origin origin = bound != null ? bound.getOrigin() : null;
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        String description = "Cannot read the connection pool property '" + property + "'"
                + (value != null ? " = '" + value + "'" : "")
                + (origin != null ? " (from " + origin + ")" : "")
                + ": " + cause.getMessage();
        String action = "Set " + property + " to " + expected(e) + ". " + TURN_OFF;
        return new FailureAnalysis(description, action, e);
    }

    /** What the property takes, in words. */
    private static String expected(BindException e) {
        Class<?> type = e.getTarget().getType().resolve(Object.class);
        if (type == Boolean.class || type == boolean.class) {
            return "true or false (on/off, yes/no and 1/0 work too)";
        }
        if (type == Duration.class) {
            return "a duration such as 500ms, 30s, 5m or PT30S (a plain number is milliseconds)";
        }
        if (type == Integer.class || type == int.class) {
            return "a whole number";
        }
        return "a value of type " + type.getSimpleName();
    }

    private String origin(String property) {
        if (environment == null || !ConfigurationPropertyName.isValid(property)) {
            return "";
        }
        ConfigurationPropertyName name = ConfigurationPropertyName.of(property);
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            ConfigurationProperty found = source.getConfigurationProperty(name);
            if (found != null) {
                return found.getOrigin() != null ? " (from " + found.getOrigin() + ")" : "";
            }
        }
        return " (the default)";
    }

    private static boolean isPoolProperty(String name) {
        return name.equals("pool") || name.startsWith("pool.");
    }
}
