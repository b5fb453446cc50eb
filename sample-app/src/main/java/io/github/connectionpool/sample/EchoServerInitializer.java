package io.github.connectionpool.sample;

import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts the embedded echo servers before any bean exists, so that the pools find them: on by default
 * ({@code sample.echo-server.enabled}), one on {@code sample.echo-server.port} for the top-level pool and one on
 * {@code sample.echo-server.backup-port} for the {@code backup} pool (0: any free port). Their ports become
 * {@code pool.port} and {@code pool.instances.backup.port} unless the configuration sets those itself. The servers stop
 * when the context closes. Registered in {@code META-INF/spring.factories}.
 */
public class EchoServerInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        ConfigurableEnvironment environment = context.getEnvironment();
        if (!environment.getProperty("sample.echo-server.enabled", Boolean.class, true)) {
            return;
        }
        EchoServer server = EchoServer.start(environment.getProperty("sample.echo-server.port", Integer.class, 0));
        EchoServer backup =
                EchoServer.start(environment.getProperty("sample.echo-server.backup-port", Integer.class, 0));
        // Lowest precedence: a port from any other source wins.
        environment
                .getPropertySources()
                .addLast(new MapPropertySource(
                        "sampleEchoServer",
                        Map.of(
                                "pool.port", server.port(),
                                "sample.echo-server.local-port", server.port(),
                                "pool.instances.backup.port", backup.port(),
                                "sample.echo-server.local-backup-port", backup.port())));
        context.addApplicationListener(new ApplicationListener<ContextClosedEvent>() {
            @Override
            public void onApplicationEvent(ContextClosedEvent event) {
                server.close();
                backup.close();
            }
        });
    }
}
