package io.github.connectionpool.spring;

import io.github.connectionpool.tcp.TcpConnectionPool;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Registers a {@link TcpConnectionPool} bean for each key under {@code pool.instances}: named
 * {@code <name>ConnectionPool}, qualified {@code @Qualifier("<name>")}, made by {@link TcpPoolFactory#instance} and
 * closed with the context. A bean of that name defined by the application is left as it is.
 */
final class PoolInstancesRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
        for (String name : OnPoolInstancesCondition.instanceNames(environment)) {
            String beanName = beanName(name);
            if (!registry.containsBeanDefinition(beanName)) {
                registry.registerBeanDefinition(beanName, definition(name));
            }
        }
    }

    static String beanName(String instanceName) {
        return instanceName + "ConnectionPool";
    }

    private static RootBeanDefinition definition(String name) {
        RootBeanDefinition definition = new RootBeanDefinition();
        definition.setTargetType(TcpConnectionPool.class);
        definition.setFactoryBeanName(TcpPoolFactory.BEAN_NAME);
        definition.setFactoryMethodName("instance");
        definition.getConstructorArgumentValues().addIndexedArgumentValue(0, name);
        definition.setDestroyMethodName("close");
        definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
        return definition;
    }
}
