package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.connectionpool.testing.TestConnection;
import io.github.connectionpool.testing.TestCreator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class SmokeTest {

    @Test
    void borrowReturnAndReuse() throws Exception {
        TestCreator creator = new TestCreator();
        try (ConnectionPool<TestConnection, String> pool = ConnectionPool.builder(
                        "x", creator, c -> CompletableFuture.completedFuture(c.isHealthy()))
                .maxSize(2)
                .build()) {
            TestConnection first;
            try (PooledConnection<TestConnection> lease = pool.getConnection()) {
                first = lease.get();
                assertThat(pool.stats().active()).isEqualTo(1);
            }
            assertThat(pool.stats().idle()).isEqualTo(1);
            try (PooledConnection<TestConnection> lease = pool.getConnection()) {
                assertThat(lease.get()).isSameAs(first);
            }
            PooledConnection<TestConnection> a = pool.getConnection();
            PooledConnection<TestConnection> b = pool.getConnection();
            assertThatThrownBy(() -> pool.getConnection(Duration.ofMillis(50)))
                    .isInstanceOf(PoolTimeoutException.class);
            CompletableFuture<PooledConnection<TestConnection>> pending = pool.getConnectionAsync();
            assertThat(pending).isNotDone();
            a.close();
            assertThat(pending.get(5, TimeUnit.SECONDS).get()).isNotNull();
            pending.get().close();
            b.close();
            assertThat(pool.stats()).satisfies(s -> {
                assertThat(s.idle()).isEqualTo(2);
                assertThat(s.active()).isZero();
                assertThat(s.pending()).isZero();
            });
        }
        assertThat(creator.open()).isZero();
    }
}
