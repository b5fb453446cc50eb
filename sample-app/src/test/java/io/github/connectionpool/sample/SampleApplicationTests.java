package io.github.connectionpool.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.tcp.TcpConnectionPool;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.web.client.RestClient;

@Timeout(60)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class SampleApplicationTests {

    @LocalServerPort
    private int port;

    @Autowired
    private TcpConnectionPool pool;

    @Autowired
    @Qualifier("backup")
    private TcpConnectionPool backup;

    @Autowired
    private Environment environment;

    private RestClient http() {
        return RestClient.create("http://localhost:" + port);
    }

    @Test
    void thePoolTalksToTheEmbeddedEchoServerWithTheYamlSettings() {
        assertThat(pool.name()).isEqualTo("echo");
        assertThat(pool.address().getPort())
                .isEqualTo(environment.getProperty("sample.echo-server.local-port", Integer.class));
        assertThat(pool.config().minIdle()).isEqualTo(2);
        assertThat(pool.isCleanupRunning())
                .as("cleanup runs on Spring's scheduler instead")
                .isFalse();
    }

    @Test
    void theBackupPoolTakesItsOwnSettingsThenThePoolsDefaults() throws Exception {
        assertThat(backup.name()).isEqualTo("backup");
        assertThat(backup.address().getPort())
                .isEqualTo(environment.getProperty("sample.echo-server.local-backup-port", Integer.class));
        assertThat(backup.config().maxSize()).isEqualTo(4);
        assertThat(backup.config().acquireTimeout())
                .as("from pool.acquire-timeout")
                .isEqualTo(pool.config().acquireTimeout());
        try (PooledConnection<Socket> lease = backup.getConnection()) {
            assertThat(lease.get().getSoTimeout())
                    .as("pool.instances.backup.read-timeout")
                    .isEqualTo(2_000);
        }
        try (PooledConnection<Socket> lease = pool.getConnection()) {
            assertThat(lease.get().getSoTimeout()).as("pool.read-timeout").isEqualTo(5_000);
        }
    }

    @Test
    void theBackupEndpointAnswersThroughTheBackupPool() {
        String answer = http().get()
                .uri("/echo/backup?message={m}", "via backup")
                .retrieve()
                .body(String.class);
        assertThat(answer).isEqualTo("via backup");
        assertThat(backup.stats().created())
                .as("connections the backup pool opened")
                .isPositive();
    }

    @Test
    void theEchoEndpointAnswersThroughThePool() {
        long createdBefore = pool.stats().created();
        for (int i = 0; i < 5; i++) {
            String answer = http().get()
                    .uri("/echo?message={m}", "hello " + i)
                    .retrieve()
                    .body(String.class);
            assertThat(answer).isEqualTo("hello " + i);
        }
        assertThat(pool.stats().active()).isZero();
        assertThat(pool.stats().created() - createdBefore)
                .as("sequential requests reuse a pooled connection")
                .isLessThanOrEqualTo(1);
    }

    @Test
    void healthShowsThePoolUpWithDetails() {
        String health = http().get().uri("/actuator/health").retrieve().body(String.class);

        assertThat(JsonPath.<String>read(health, "$.components.pool.status")).isEqualTo("UP");
        assertThat(JsonPath.<String>read(health, "$.components.pool.components.echo.details.pool"))
                .isEqualTo("echo");
        assertThat(JsonPath.<Integer>read(health, "$.components.pool.components.echo.details.max"))
                .isEqualTo(10);
        assertThat(JsonPath.<Integer>read(health, "$.components.pool.components.echo.details.pending"))
                .isZero();
        assertThat(JsonPath.<String>read(health, "$.components.pool.components.backup.status"))
                .isEqualTo("UP");
        assertThat(JsonPath.<Integer>read(health, "$.components.pool.components.backup.details.max"))
                .isEqualTo(4);
    }

    @Test
    void metricsShowTheActiveConnectionsGaugeTaggedWithThePool() {
        String metric = http().get()
                .uri("/actuator/metrics/pool.connections.active")
                .retrieve()
                .body(String.class);

        assertThat(JsonPath.<String>read(metric, "$.name")).isEqualTo("pool.connections.active");
        assertThat(JsonPath.<String>read(metric, "$.baseUnit")).isEqualTo("connections");
        List<String> pools = JsonPath.read(metric, "$.availableTags[?(@.tag == 'pool')].values[*]");
        assertThat(pools).containsExactlyInAnyOrder("echo", "backup");
        String echo = http().get()
                .uri("/actuator/metrics/pool.connections.active?tag=pool:echo")
                .retrieve()
                .body(String.class);
        List<Double> values = JsonPath.read(echo, "$.measurements[?(@.statistic == 'VALUE')].value");
        assertThat(values).containsExactly(0.0);
    }

    @Test
    void prometheusExposesThePoolMeters() {
        http().get().uri("/echo?message=x").retrieve().body(String.class);

        String scrape = http().get().uri("/actuator/prometheus").retrieve().body(String.class);

        assertThat(scrape)
                .contains("pool_connections_active_connections{")
                .contains("pool=\"echo\"")
                .contains("pool_connections_acquire_seconds_count{")
                .contains("pool_connections_timeout_total{");
    }
}
