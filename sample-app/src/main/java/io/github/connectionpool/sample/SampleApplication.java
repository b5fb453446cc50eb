package io.github.connectionpool.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The sample app: the starter's {@code TcpConnectionPool} behind a REST endpoint, with health, metrics and Prometheus
 * on the actuator. Run it with {@code mvn -pl sample-app -am spring-boot:run}, then try
 * {@code curl 'localhost:8080/echo?message=hello'} and {@code curl localhost:8080/actuator/health}.
 */
@SpringBootApplication
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
