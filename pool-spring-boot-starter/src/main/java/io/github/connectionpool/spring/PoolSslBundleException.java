package io.github.connectionpool.spring;

import java.util.List;

/**
 * A pool's {@code ssl.bundle} names an SSL bundle that cannot be used: no bundle of that name is defined under
 * {@code spring.ssl.bundle.*}, or its stores cannot be read. Start-up fails naming the property and the bundle.
 */
public class PoolSslBundleException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String property;
    private final String bundleName;
    private final String reason;
    /** Not serialized: null, as for a known bundle, after deserialization. */
    private final transient List<String> definedBundles;

    private PoolSslBundleException(
            String property,
            String bundleName,
            List<String> definedBundles,
            String reason,
            String message,
            Throwable cause) {
        super(message, cause);
        this.property = property;
        this.bundleName = bundleName;
        this.reason = reason;
        this.definedBundles = definedBundles;
    }

    /**
     * No bundle of that name is defined.
     *
     * @param property the property that names the bundle, such as {@code pool.ssl.bundle}
     * @param bundleName the name it gives
     * @param definedBundles the names of the bundles that are defined
     * @param cause Spring Boot's own report of the missing bundle, or {@code null}
     * @return the exception
     */
    static PoolSslBundleException unknown(
            String property, String bundleName, List<String> definedBundles, Throwable cause) {
        return new PoolSslBundleException(
                property,
                bundleName,
                List.copyOf(definedBundles),
                "it is not defined",
                property + " names the SSL bundle '" + bundleName + "', which is not defined (spring.ssl.bundle.jks."
                        + bundleName + ".* or spring.ssl.bundle.pem." + bundleName + ".*); "
                        + (definedBundles.isEmpty() ? "no bundle is defined" : "defined bundles: " + definedBundles),
                cause);
    }

    /**
     * The bundle is defined but cannot be used, for example because a store cannot be read.
     *
     * @param property the property that names the bundle
     * @param bundleName the name it gives
     * @param reason why, in words
     * @param cause the error, or {@code null}
     * @return the exception
     */
    static PoolSslBundleException unusable(String property, String bundleName, String reason, Throwable cause) {
        return new PoolSslBundleException(
                property,
                bundleName,
                null,
                reason,
                "The SSL bundle '" + bundleName + "' named by " + property + " cannot be used: " + reason,
                cause);
    }

    /**
     * The property that names the bundle: {@code pool.ssl.bundle} or {@code pool.instances.<name>.ssl.bundle}.
     *
     * @return the property's name
     */
    public String getProperty() {
        return property;
    }

    /**
     * The bundle's name, as the property gives it.
     *
     * @return the bundle's name
     */
    public String getBundleName() {
        return bundleName;
    }

    /**
     * What is wrong with the bundle, in words: for an unusable one, the error that loading it gave.
     *
     * @return the reason
     */
    public String getReason() {
        return reason;
    }

    /**
     * Whether no bundle of that name is defined (rather than one defined but unusable).
     *
     * @return true for an unknown bundle
     */
    public boolean isUnknownBundle() {
        return definedBundles != null;
    }

    /**
     * The bundles that are defined, for an unknown bundle.
     *
     * @return their names; empty when the bundle is known but unusable
     */
    public List<String> getDefinedBundles() {
        return definedBundles != null ? definedBundles : List.of();
    }
}
