package io.github.connectionpool.spring;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.task.ThreadPoolTaskSchedulerBuilder;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.ScheduledAnnotationBeanPostProcessor;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.config.ScheduledTask;
import org.springframework.scheduling.config.ScheduledTaskHolder;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.scheduling.config.TaskManagementConfigUtils;

/**
 * Runs the auto-configured pools' {@link PoolCleanupTask}s as fixed-delay tasks on a Spring task scheduler, without
 * enabling scheduling for the whole application and without keeping the JVM alive.
 *
 * <p>{@code @EnableScheduling} in a starter would run every {@code @Scheduled} method of the application's own beans
 * as well, which an application that never asked for scheduling does not expect. So when the application has not
 * enabled scheduling, this bean runs the tasks on a scheduler of its own, built from Boot's
 * {@code spring.task.scheduling.*} settings but with daemon threads: a command-line application exits when its work is
 * done, as it would without the starter. When the application enables scheduling itself, its scheduling calls this
 * bean as a {@link SchedulingConfigurer} and runs the tasks on its scheduler instead, so that no cleanup runs twice.
 *
 * <p>Being a {@link SmartLifecycle} in the last phase, it starts the tasks once the context is refreshed and stops
 * them before any bean is destroyed, so that no run starts once the context is closing. As a
 * {@link ScheduledTaskHolder} it shows its tasks in Actuator's {@code scheduledtasks} endpoint.
 */
final class PoolCleanupScheduler implements SmartLifecycle, ScheduledTaskHolder, SchedulingConfigurer, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(PoolCleanupScheduler.class);

    private final ConfigurableListableBeanFactory beanFactory;
    private final ThreadPoolTaskSchedulerBuilder schedulerBuilder;

    // Guarded by this. Tasks come from the pools as they are built, before the context starts this bean.
    private final List<PoolCleanupTask> tasks = new ArrayList<>();
    private ThreadPoolTaskScheduler scheduler;
    private ScheduledTaskRegistrar registrar;
    private boolean started;

    PoolCleanupScheduler(ConfigurableListableBeanFactory beanFactory, ThreadPoolTaskSchedulerBuilder schedulerBuilder) {
        this.beanFactory = beanFactory;
        this.schedulerBuilder = schedulerBuilder;
    }

    /**
     * Adds a pool's cleanup; it runs from {@link #start()} on. One added after the start (a pool made lazily) runs
     * at once on whichever scheduler runs the others.
     */
    synchronized void add(PoolCleanupTask task) {
        tasks.add(task);
        if (registrar != null) {
            registrar.scheduleFixedDelayTask(task.fixedDelayTask());
            logScheduled(task, registrar == ownRegistrar() ? "the starter's own" : "the application's");
        } else if (started && !applicationSchedules(beanFactory)) {
            startOwnScheduler();
        }
    }

    /** Says at start-up that a pool has no cleanup, and which property turned it off. */
    void logNoCleanup(String poolName, String property) {
        log.info("{}: no cleanup runs ({}=false)", poolName, property);
    }

    @Override
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        if (registrar != null || tasks.isEmpty()) {
            return;
        }
        if (applicationSchedules(beanFactory)) {
            for (PoolCleanupTask task : tasks) {
                logScheduled(task, "the application's");
            }
            return; // configureTasks hands the tasks over
        }
        startOwnScheduler();
    }

    private void startOwnScheduler() {
        ThreadPoolTaskScheduler taskScheduler = schedulerBuilder.build();
        // A daemon, as the pool's own threads are: the cleanup must not keep a finished application's JVM alive.
        taskScheduler.setDaemon(true);
        taskScheduler.initialize();
        ScheduledTaskRegistrar taskRegistrar = new ScheduledTaskRegistrar();
        taskRegistrar.setTaskScheduler(taskScheduler);
        tasks.forEach(task -> taskRegistrar.addFixedDelayTask(task.fixedDelayTask()));
        taskRegistrar.afterPropertiesSet(); // schedules them
        scheduler = taskScheduler;
        registrar = taskRegistrar;
        for (PoolCleanupTask task : tasks) {
            logScheduled(task, "the starter's own");
        }
    }

    /** Called by the application's scheduling, when it enabled scheduling in this context: it runs the tasks. */
    @Override
    public synchronized void configureTasks(ScheduledTaskRegistrar applicationRegistrar) {
        if (registrar != null) {
            return; // already running on the starter's own scheduler
        }
        tasks.forEach(task -> applicationRegistrar.addFixedDelayTask(task.fixedDelayTask()));
        registrar = applicationRegistrar; // a task added later is scheduled there too
    }

    @Override
    public synchronized void stop() {
        started = false;
        if (scheduler != null) {
            registrar.destroy(); // cancels the tasks
            scheduler.destroy(); // interrupts a run in progress, which then leaves the connection it holds as it was
            scheduler = null;
            registrar = null; // the application's registrar, if it runs them, stays: it stops them itself
        }
    }

    /** Whether the starter's own scheduler runs the cleanups (not while the application's does, or none runs). */
    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }

    /** Stops the tasks if they still run, as when the context's refresh failed after they started. */
    @Override
    public void destroy() {
        stop();
    }

    /**
     * The cleanup tasks while this bean runs them on its own scheduler; none while the application's scheduling does
     * (its own holder lists them then).
     *
     * @return the scheduled cleanups, or an empty set
     */
    @Override
    public synchronized Set<ScheduledTask> getScheduledTasks() {
        return scheduler == null ? Set.of() : registrar.getScheduledTasks();
    }

    private ScheduledTaskRegistrar ownRegistrar() {
        return scheduler == null ? null : registrar;
    }

    /**
     * Whether the application enabled scheduling itself, in this context: its processor then runs the tasks. (A
     * parent context's processor does not see this context's beans.)
     */
    static boolean applicationSchedules(ConfigurableListableBeanFactory beanFactory) {
        return beanFactory.containsLocalBean(TaskManagementConfigUtils.SCHEDULED_ANNOTATION_PROCESSOR_BEAN_NAME)
                || beanFactory.getBeanNamesForType(ScheduledAnnotationBeanPostProcessor.class, true, false).length > 0;
    }

    private void logScheduled(PoolCleanupTask task, String whose) {
        log.info(
                "{}: Spring's task scheduler runs the cleanup every {} ({} scheduler{})",
                task.poolName(),
                task.interval(),
                whose,
                scheduler != null ? ", daemon threads " + scheduler.getThreadNamePrefix() + "*" : "");
    }
}
