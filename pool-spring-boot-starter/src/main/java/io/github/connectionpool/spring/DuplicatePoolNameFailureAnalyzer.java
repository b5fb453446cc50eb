package io.github.connectionpool.spring;

import java.util.Set;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/**
 * Turns a {@link DuplicatePoolNameException} into Boot's "APPLICATION FAILED TO START" report: the Description names
 * the pool name and both beans, the Action says where each bean's name is set. Registered in
 * {@code META-INF/spring.factories}.
 */
final class DuplicatePoolNameFailureAnalyzer extends AbstractFailureAnalyzer<DuplicatePoolNameException> {

    private final Environment environment;

    DuplicatePoolNameFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, DuplicatePoolNameException cause) {
        String description = "Two connection pools are named '" + cause.getPoolName() + "': the beans '"
                + cause.getFirstBean() + "' and '" + cause.getSecondBean() + "'. A pool's name is the pool tag of its"
                + " meters and the key of its health entry, so each pool needs its own.";
        String action = "Give one of them another name. The name of '" + cause.getFirstBean() + "' is "
                + nameSource(cause.getFirstBean()) + "; the name of '" + cause.getSecondBean() + "' is "
                + nameSource(cause.getSecondBean()) + ".";
        return new FailureAnalysis(description, action, cause);
    }

    /** Where the name of the pool of that bean comes from, in words. */
    private String nameSource(String beanName) {
        if (beanName.equals("connectionPool")) {
            return "pool.name (default \"tcp\")";
        }
        String suffix = "ConnectionPool";
        if (beanName.endsWith(suffix)) {
            String instance = beanName.substring(0, beanName.length() - suffix.length());
            if (instanceNames().contains(instance)) {
                return "the key of pool.instances." + instance;
            }
        }
        return "the name its builder was given (.name(...))";
    }

    private Set<String> instanceNames() {
        return environment == null ? Set.of() : OnPoolInstancesCondition.instanceNames(environment);
    }
}
