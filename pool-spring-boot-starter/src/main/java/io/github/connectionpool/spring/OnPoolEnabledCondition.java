package io.github.connectionpool.spring;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches unless {@code pool.enabled} is false, read by Spring Boot's binder as {@link PoolProperties} is: {@code on},
 * {@code yes}, {@code 1} or {@code TRUE} turn the starter on like {@code true}, and a value that is not a boolean fails
 * start-up with a {@link org.springframework.boot.context.properties.bind.BindException} naming {@code pool.enabled}
 * (where {@code @ConditionalOnBooleanProperty} would match only {@code true} and turn the starter off without a word).
 */
final class OnPoolEnabledCondition extends SpringBootCondition {

    static final String PROPERTY = "pool.enabled";

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        boolean enabled = Binder.get(context.getEnvironment())
                .bind(PROPERTY, Boolean.class)
                .orElse(true);
        return enabled
                ? ConditionOutcome.match(PROPERTY + " is not false")
                : ConditionOutcome.noMatch(PROPERTY + " is false");
    }
}
