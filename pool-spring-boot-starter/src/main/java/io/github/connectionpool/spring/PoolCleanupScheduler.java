package io.github.connectionpool.spring;

import java.util.Set;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.EmbeddedValueResolver;
import org.springframework.boot.task.ThreadPoolTaskSchedulerBuilder;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.ScheduledAnnotationBeanPostProcessor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.config.ScheduledTask;
import org.springframework.scheduling.config.ScheduledTaskHolder;
import org.springframework.scheduling.config.TaskManagementConfigUtils;

/**
 * Runs {@link PoolCleanupTask}'s {@code @Scheduled} method without enabling scheduling for the whole application.
 *
 * <p>{@code @EnableScheduling} in a starter would run every {@code @Scheduled} method of the application's own beans
 * as well, which an application that never asked for scheduling does not expect. So this bean processes the one
 * cleanup task with a scheduling processor of its own, which is not a bean and sees no other bean, on a scheduler of
 * its own built from Boot's {@code spring.task.scheduling.*} settings. When the application enables scheduling
 * itself, its processor runs the task on its scheduler and this bean does nothing, so that the cleanup never runs
 * twice.
 *
 * <p>Being a {@link SmartLifecycle} in the last phase, it starts the task once the context is refreshed and stops it
 * before any bean is destroyed, so that no run starts once the context is closing. As a
 * {@link ScheduledTaskHolder} it shows the task in Actuator's {@code scheduledtasks} endpoint.
 */
final class PoolCleanupScheduler implements SmartLifecycle, ScheduledTaskHolder, DisposableBean {

    private static final String TASK_BEAN_NAME = "poolCleanupTask";

    private final PoolCleanupTask task;
    private final ConfigurableListableBeanFactory beanFactory;
    private final ThreadPoolTaskSchedulerBuilder schedulerBuilder;

    // Guarded by this: set together by start(), cleared together by stop().
    private ThreadPoolTaskScheduler scheduler;
    private ScheduledAnnotationBeanPostProcessor processor;

    PoolCleanupScheduler(
            PoolCleanupTask task,
            ConfigurableListableBeanFactory beanFactory,
            ThreadPoolTaskSchedulerBuilder schedulerBuilder) {
        this.task = task;
        this.beanFactory = beanFactory;
        this.schedulerBuilder = schedulerBuilder;
    }

    @Override
    public synchronized void start() {
        if (processor != null || applicationSchedules()) {
            return;
        }
        ThreadPoolTaskScheduler taskScheduler = schedulerBuilder.build();
        taskScheduler.initialize();
        ScheduledAnnotationBeanPostProcessor taskProcessor = new ScheduledAnnotationBeanPostProcessor();
        taskProcessor.setScheduler(taskScheduler);
        taskProcessor.setEmbeddedValueResolver(new EmbeddedValueResolver(beanFactory)); // ${pool.cleanup.interval}
        taskProcessor.postProcessAfterInitialization(task, TASK_BEAN_NAME);
        taskProcessor.afterSingletonsInstantiated(); // no application context given: schedules the task now
        scheduler = taskScheduler;
        processor = taskProcessor;
    }

    @Override
    public synchronized void stop() {
        if (processor == null) {
            return;
        }
        processor.destroy(); // cancels the task
        scheduler.destroy(); // interrupts a run in progress, which then leaves the connection it holds as it was
        processor = null;
        scheduler = null;
    }

    @Override
    public synchronized boolean isRunning() {
        return processor != null;
    }

    /** Stops the task if it still runs, as when the context's refresh failed after it started. */
    @Override
    public void destroy() {
        stop();
    }

    /**
     * Whether the application enabled scheduling itself, in this context: its processor then runs the task. (A
     * parent context's processor does not see this context's beans.)
     */
    private boolean applicationSchedules() {
        return beanFactory.containsLocalBean(TaskManagementConfigUtils.SCHEDULED_ANNOTATION_PROCESSOR_BEAN_NAME)
                || beanFactory.getBeanNamesForType(ScheduledAnnotationBeanPostProcessor.class, true, false).length > 0;
    }

    /**
     * The cleanup task while this bean runs it; none while the application's own scheduling does.
     *
     * @return the scheduled cleanup, or an empty set
     */
    @Override
    public synchronized Set<ScheduledTask> getScheduledTasks() {
        return processor == null ? Set.of() : processor.getScheduledTasks();
    }
}
