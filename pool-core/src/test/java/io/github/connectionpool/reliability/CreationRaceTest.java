package io.github.connectionpool.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.connectionpool.CleanupConfig;
import io.github.connectionpool.ConnectionPool;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.testing.TestConnection;
import io.github.connectionpool.testing.TestCreator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Found by {@link PoolModelTest}: how many connections one borrow from an empty pool makes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CreationRaceTest {

    @Test
    void aSingleBorrowFromAnEmptyPoolCreatesExactlyOneConnection() {
        int rounds = 200;
        List<Integer> extra = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            TestCreator creator = new TestCreator();
            try (ConnectionPool<TestConnection, String> pool = ConnectionPool.builder(
                            "race", creator, (TestConnection c) -> CompletableFuture.completedFuture(c.isHealthy()))
                    .name("race")
                    .maxSize(4)
                    .cleanup(CleanupConfig.disabled())
                    .build()) {
                try (PooledConnection<TestConnection> lease = pool.getConnection(Duration.ofSeconds(5))) {
                    assertThat(lease.get()).isNotNull();
                }
                await().pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(1))
                        .atMost(Duration.ofSeconds(5))
                        .until(() -> pool.stats().creating() == 0);
                if (pool.stats().created() != 1) {
                    extra.add(round);
                }
            }
        }
        assertThat(extra)
                .as("rounds (of %d) in which one borrow made more than one connection", rounds)
                .isEmpty();
    }
}
