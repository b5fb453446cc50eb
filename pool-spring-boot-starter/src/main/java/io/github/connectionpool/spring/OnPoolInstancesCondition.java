package io.github.connectionpool.spring;

import java.util.Map;
import java.util.Set;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when {@code pool.instances} defines at least one pool. */
final class OnPoolInstancesCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Set<String> names = instanceNames(context.getEnvironment());
        return names.isEmpty()
                ? ConditionOutcome.noMatch("no pool.instances")
                : ConditionOutcome.match("pool.instances " + names);
    }

    /** The keys under {@code pool.instances}, read as the binder reads them into {@link PoolProperties}. */
    static Set<String> instanceNames(Environment environment) {
        return Binder.get(environment)
                .bind("pool.instances", Bindable.mapOf(String.class, Object.class))
                .map(Map::keySet)
                .orElse(Set.of());
    }

    /** The opposite: no pool under {@code pool.instances}. */
    static final class None extends SpringBootCondition {

        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            ConditionOutcome instances = new OnPoolInstancesCondition().getMatchOutcome(context, metadata);
            return new ConditionOutcome(!instances.isMatch(), instances.getConditionMessage());
        }
    }
}
