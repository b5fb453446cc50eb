package io.github.connectionpool.jdbc;

import io.github.connectionpool.InvalidSettingException;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Where and how to connect: a JDBC URL and the driver properties (user, password, driver options).
 *
 * @param url the JDBC URL, for example {@code jdbc:postgresql://127.0.0.1:5432/test}
 * @param properties the driver properties; copied, never {@code null}
 */
public record JdbcParams(String url, Map<String, String> properties) {

    /**
     * Checks and copies the parameters.
     *
     * @param url the JDBC URL; must start with {@code jdbc:}
     * @param properties the driver properties
     * @throws InvalidSettingException for {@code "url"} when the URL is not a JDBC URL
     */
    public JdbcParams {
        if (url == null || !url.startsWith("jdbc:")) {
            throw new InvalidSettingException(
                    "url", url, "url must be a JDBC URL starting with 'jdbc:', but was '" + url + "'");
        }
        properties = Map.copyOf(Objects.requireNonNull(properties, "properties"));
    }

    /**
     * The properties as the driver takes them.
     *
     * @return a new {@link Properties} with every entry
     */
    public Properties toProperties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    /** Leaves the password out, so that parameters can be logged. */
    @Override
    public String toString() {
        return "JdbcParams[url=" + url + ", properties=" + properties.keySet() + "]";
    }
}
