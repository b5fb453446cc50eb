package io.github.connectionpool.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import io.github.connectionpool.tcp.TcpConnectionPool;
import io.github.connectionpool.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A real web application on a random port with two pools from {@code pool.instances}: {@code /actuator/health} shows
 * both under {@code pool}, and {@code /actuator/metrics} shows both tags.
 */
@SpringBootTest(
        classes = PoolsWebApplicationTests.TwoPoolsApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "management.endpoints.web.exposure.include=health,metrics",
            "management.endpoint.health.show-details=always",
            "pool.host=127.0.0.1"
        })
@Timeout(60)
class PoolsWebApplicationTests {

    private static final TestServer ORDERS = TestServer.start();
    private static final TestServer AUDIT = TestServer.start();

    @LocalServerPort
    private int port;

    @Autowired
    @Qualifier("orders")
    private TcpConnectionPool orders;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @DynamicPropertySource
    static void pools(DynamicPropertyRegistry registry) {
        registry.add("pool.instances.orders.port", ORDERS::port);
        registry.add("pool.instances.audit.port", AUDIT::port);
        registry.add("pool.instances.audit.max-size", () -> 3);
    }

    @AfterAll
    static void stopServers() {
        ORDERS.close();
        AUDIT.close();
    }

    @Test
    void healthShowsBothPoolsByName() throws Exception {
        String health = get("/actuator/health");
        assertThat(JsonPath.<String>read(health, "$.status")).isEqualTo("UP");
        assertThat(JsonPath.<String>read(health, "$.components.pool.components.orders.status"))
                .isEqualTo("UP");
        assertThat(JsonPath.<String>read(health, "$.components.pool.components.audit.status"))
                .isEqualTo("UP");
        assertThat(JsonPath.<Integer>read(health, "$.components.pool.components.audit.details.max"))
                .isEqualTo(3);
    }

    @Test
    void metricsShowBothTags() throws Exception {
        orders.getConnection().close();
        String max = get("/actuator/metrics/pool.connections.max");
        List<String> pools = JsonPath.read(max, "$.availableTags[?(@.tag == 'pool')].values[*]");
        assertThat(pools).containsExactlyInAnyOrder("orders", "audit");
        String acquire = get("/actuator/metrics/pool.connections.acquire?tag=pool:orders");
        List<Double> counts = JsonPath.read(acquire, "$.measurements[?(@.statistic == 'COUNT')].value");
        assertThat(counts).singleElement().satisfies(count -> assertThat(count).isPositive());
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return response.body();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class TwoPoolsApplication {}
}
