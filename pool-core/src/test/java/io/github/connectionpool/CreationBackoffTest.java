package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.connectionpool.testing.TestConnection;
import io.github.connectionpool.testing.TestCreator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CreationBackoffTest {

    private final TestCreator creator = new TestCreator();

    private ConnectionPool<TestConnection, String> pool() {
        return ConnectionPool.builder("x", creator, c -> CompletableFuture.completedFuture(c.isHealthy()))
                .maxSize(4)
                .build();
    }

    @Test
    void aSingleFailureIsRetriedAtOnce() {
        try (ConnectionPool<TestConnection, String> pool = pool()) {
            creator.mode(TestCreator.Mode.THROW);
            assertThatThrownBy(pool::getConnection).isInstanceOf(ConnectionCreationException.class);
            creator.mode(TestCreator.Mode.SUCCEED);
            try (PooledConnection<TestConnection> lease = pool.getConnection()) {
                assertThat(lease.get()).isNotNull();
            }
        }
    }

    @Test
    void aTargetThatKeepsRefusingIsNotHammeredAndItsCallersFailFast() {
        try (ConnectionPool<TestConnection, String> pool = pool()) {
            creator.mode(TestCreator.Mode.FAIL_STAGE);
            long start = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                assertThatThrownBy(pool::getConnection)
                        .isInstanceOf(ConnectionCreationException.class)
                        .hasRootCauseInstanceOf(java.io.IOException.class);
            }
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(elapsedMillis).as("200 callers failed fast").isLessThan(5_000);
            assertThat(creator.attempts())
                    .as("attempts in %d ms while refused", elapsedMillis)
                    .isLessThan(2 + (int) (elapsedMillis / 100) + 1);
            assertThat(pool.stats().pending()).isZero();
            assertThat(pool.stats().total()).isZero();
        }
    }

    @Test
    void theFastFailureNamesTheBackOffAndCarriesTheLastError() {
        try (ConnectionPool<TestConnection, String> pool = pool()) {
            creator.mode(TestCreator.Mode.FAIL_STAGE);
            assertThatThrownBy(pool::getConnection).isInstanceOf(ConnectionCreationException.class);
            assertThatThrownBy(pool::getConnection).isInstanceOf(ConnectionCreationException.class);

            assertThatThrownBy(pool::getConnection)
                    .isInstanceOf(ConnectionCreationException.class)
                    .hasMessageContaining("keeps failing")
                    .hasMessageContaining("connection refused on purpose")
                    .cause()
                    .isInstanceOf(java.io.IOException.class);
            assertThat(creator.attempts()).isEqualTo(2);
        }
    }

    @Test
    void thePoolRecoversOnItsOwnOnceTheTargetIsBack() {
        try (ConnectionPool<TestConnection, String> pool = pool()) {
            creator.mode(TestCreator.Mode.FAIL_STAGE);
            for (int i = 0; i < 5; i++) {
                assertThatThrownBy(pool::getConnection).isInstanceOf(ConnectionCreationException.class);
            }
            creator.mode(TestCreator.Mode.SUCCEED);
            await().atMost(Duration.ofSeconds(6))
                    .pollInterval(Duration.ofMillis(20))
                    .ignoreExceptions()
                    .untilAsserted(() -> {
                        try (PooledConnection<TestConnection> lease = pool.getConnection()) {
                            assertThat(lease.get().isHealthy()).isTrue();
                        }
                    });
            // Back to normal: no back-off left after a success.
            try (PooledConnection<TestConnection> a = pool.getConnection();
                    PooledConnection<TestConnection> b = pool.getConnection()) {
                assertThat(a.get()).isNotSameAs(b.get());
            }
        }
    }

    @Test
    void callersOfABusyPoolStillWaitForReturnsWhileCreationBacksOff() throws Exception {
        try (ConnectionPool<TestConnection, String> pool = ConnectionPool.builder(
                        "x", creator, c -> CompletableFuture.completedFuture(true))
                .maxSize(2)
                .build()) {
            PooledConnection<TestConnection> held = pool.getConnection();
            creator.mode(TestCreator.Mode.FAIL_STAGE);
            assertThatThrownBy(pool::getConnection).isInstanceOf(ConnectionCreationException.class);
            assertThatThrownBy(pool::getConnection).isInstanceOf(ConnectionCreationException.class);

            CompletableFuture<PooledConnection<TestConnection>> waiting = pool.getConnectionAsync();
            assertThat(waiting).isNotDone();
            TestConnection connection = held.get();
            held.close();
            try (PooledConnection<TestConnection> lease = waiting.get(5, TimeUnit.SECONDS)) {
                assertThat(lease.get()).isSameAs(connection);
            }
        }
    }
}
