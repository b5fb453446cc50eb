package io.github.connectionpool.spring.job;

import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.tcp.TcpConnectionPool;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A command-line application using the starter, as a batch job would: no web server, one runner that does its work
 * through the pool, and nothing else. Its JVM must end by itself once the runner is done. Run by
 * {@code NonWebApplicationExitTests} in a JVM of its own, with {@code --pool.port=<an echo server>}.
 */
@SpringBootApplication
public class EchoJobApplication {

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(EchoJobApplication.class);
        application.setDefaultProperties(Map.of("spring.main.web-application-type", "none"));
        application.run(args);
    }

    @Bean
    CommandLineRunner echoJob(TcpConnectionPool pool) {
        return args -> {
            try (PooledConnection<Socket> lease = pool.getConnection()) {
                OutputStream out = lease.get().getOutputStream();
                out.write("hello\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                String reply = new BufferedReader(
                                new InputStreamReader(lease.get().getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
                System.out.println("echo job done: " + reply);
            }
        };
    }
}
