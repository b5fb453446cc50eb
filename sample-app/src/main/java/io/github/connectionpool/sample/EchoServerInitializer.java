package io.github.connectionpool.sample;

import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts the embedded echo server before any bean exists, so that the pool finds it: on by default
 * ({@code sample.echo-server.enabled}), on {@code sample.echo-server.port} (0: any free port). Its port becomes
 * {@code pool.port} unless the configuration sets {@code pool.port} itself. The server stops when the context closes.
 * Registered in {@code META-INF/spring.factories}.
 */
public class EchoServerInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        ConfigurableEnvironment environment = context.getEnvironment();
        if (!environment.getProperty("sample.echo-server.enabled", Boolean.class, true)) {
            return;
        }
        EchoServer server = EchoServer.start(environment.getProperty("sample.echo-server.port", Integer.class, 0));
        // Lowest precedence: a pool.port from any other source wins.
        environment
                .getPropertySources()
                .addLast(new MapPropertySource(
                        "sampleEchoServer",
                        Map.of("pool.port", server.port(), "sample.echo-server.local-port", server.port())));
        context.addApplicationListener(new ApplicationListener<ContextClosedEvent>() {
            @Override
            public void onApplicationEvent(ContextClosedEvent event) {
                server.close();
            }
        });
    }
}
