package io.github.connectionpool.spring;

/**
 * The top-level pool's address from {@code pool.host} and {@code pool.port}, used unless the application defines a
 * {@link TcpConnectionDetails} of its own.
 */
final class PropertiesTcpConnectionDetails implements TcpConnectionDetails {

    private final PoolProperties properties;

    PropertiesTcpConnectionDetails(PoolProperties properties) {
        this.properties = properties;
    }

    @Override
    public String host() {
        return properties.getHost();
    }

    /**
     * {@code pool.port}.
     *
     * @throws org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException when
     *     {@code pool.port} is not set
     */
    @Override
    public int port() {
        return PoolSettings.topLevel(properties).port();
    }
}
