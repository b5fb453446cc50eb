package io.github.connectionpool.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader;

/** Boot's failure report for a missing or invalid {@code pool.*} property. */
@Timeout(30)
@ExtendWith(OutputCaptureExtension.class)
class PoolPropertyFailureAnalyzerTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(ConnectionPoolAutoConfiguration.class, PoolInstancesAutoConfiguration.class));

    @Test
    void aMissingPortSaysWhatToSetAndHowToTurnTheStarterOff() {
        FailureAnalysis analysis = analyze();
        assertThat(analysis.getDescription()).contains("'pool.port'").contains("not set");
        assertThat(analysis.getAction())
                .contains("Set pool.port")
                .contains("TcpConnectionDetails")
                .contains("pool.enabled=false");
    }

    @Test
    void anInvalidValueNamesThePropertyTheValueAndTheRule() {
        FailureAnalysis analysis = analyze("pool.port=1", "pool.max-size=0");
        assertThat(analysis.getDescription())
                .contains("Invalid value '0'")
                .contains("'pool.max-size'")
                .contains("maxSize must be");
        assertThat(analysis.getAction())
                .contains("Set pool.max-size to a valid value")
                .contains("pool.enabled=false");
    }

    @Test
    void anInstancesInvalidValueNamesTheInstancesProperty() {
        FailureAnalysis analysis = analyze("pool.instances.orders.port=70000");
        assertThat(analysis.getDescription())
                .contains("'70000'")
                .contains("'pool.instances.orders.port'")
                .contains("between 1 and 65535");
    }

    @Test
    void anUnreadableValueSaysWhatTheFormatIs() {
        FailureAnalysis analysis = analyze("pool.port=1", "pool.max-idle-time=soon");
        assertThat(analysis.getDescription()).contains("'pool.max-idle-time'").contains("'soon'");
        assertThat(analysis.getAction()).contains("a duration such as 500ms, 30s");
    }

    @Test
    void aSwitchThatIsNotABooleanSaysSo() {
        FailureAnalysis analysis = analyze("pool.enabled=maybe");
        assertThat(analysis.getDescription()).contains("'pool.enabled'").contains("'maybe'");
        assertThat(analysis.getAction()).contains("true or false").contains("pool.enabled=false");
    }

    @Test
    void otherFailuresAreLeftToOtherAnalyzers() {
        assertThat(new PoolPropertyFailureAnalyzer(new StandardEnvironment())
                        .analyze(new IllegalStateException("something else")))
                .isNull();
    }

    @Test
    void theAnalyzerIsRegisteredWhereBootLooksForIt() {
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
                .load(
                        FailureAnalyzer.class,
                        SpringFactoriesLoader.ArgumentResolver.of(Environment.class, new StandardEnvironment()),
                        SpringFactoriesLoader.FailureHandler.handleMessage((message, failure) -> {}));
        assertThat(analyzers).hasAtLeastOneElementOfType(PoolPropertyFailureAnalyzer.class);
    }

    @Test
    void aRealStartUpPrintsBootsReport(CapturedOutput output) {
        SpringApplication application = new SpringApplication(OnlyTheStarter.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        assertThatThrownBy(() -> application.run("--pool.port=70000").close());
        assertThat(output) // as the README shows it
                .contains("APPLICATION FAILED TO START")
                .contains("Invalid value '70000' for the connection pool property 'pool.port' (from \"pool.port\" from"
                        + " property source \"commandLineArgs\"): port must be between 1 and 65535, but was 70000")
                .contains("Set pool.port to a valid value (port must be between 1 and 65535, but was 70000). To start"
                        + " without the connection pool starter, set pool.enabled=false.");
    }

    private FailureAnalysis analyze(String... properties) {
        FailureAnalysis[] analysis = new FailureAnalysis[1];
        Environment[] environment = new Environment[1];
        runner.withPropertyValues(properties)
                .withInitializer(context -> environment[0] = context.getEnvironment())
                .run(context -> {
                    assertThat(context).hasFailed();
                    analysis[0] = new PoolPropertyFailureAnalyzer(environment[0]).analyze(context.getStartupFailure());
                });
        assertThat(analysis[0]).as("the analysis").isNotNull();
        return analysis[0];
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ConnectionPoolAutoConfiguration.class, PoolInstancesAutoConfiguration.class})
    static class OnlyTheStarter {}
}
