package io.github.connectionpool.spring;

import io.github.connectionpool.ConnectionPool;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ListableBeanFactory;

/**
 * Every {@link ConnectionPool} bean of a context (the starter's and the application's own, of any type), keyed by pool
 * name: the key of the meters' {@code pool} tag and of the health entries, which must therefore be unique.
 */
final class ConnectionPools {

    private ConnectionPools() {}

    /**
     * The pools by name, in bean registration order.
     *
     * @throws DuplicatePoolNameException when two beans have pools of the same name
     */
    static Map<String, ConnectionPool<?, ?>> byName(ListableBeanFactory beanFactory) {
        Map<String, ConnectionPool<?, ?>> pools = new LinkedHashMap<>();
        Map<String, String> beanNames = new LinkedHashMap<>();
        @SuppressWarnings("rawtypes")
        Map<String, ConnectionPool> beans = beanFactory.getBeansOfType(ConnectionPool.class);
        beans.forEach((beanName, pool) -> {
            String earlier = beanNames.putIfAbsent(pool.name(), beanName);
            if (earlier != null) {
                throw new DuplicatePoolNameException(pool.name(), earlier, beanName);
            }
            pools.put(pool.name(), pool);
        });
        return pools;
    }
}
