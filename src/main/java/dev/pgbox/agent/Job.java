package dev.pgbox.agent;

import dev.pgbox.Progress;
import dev.pgbox.config.CronSchedule;

/** A scheduled piece of work: its name, when it runs, and what it does (returns a one-line summary). */
public record Job(String name, CronSchedule schedule, Work work) {

    /** The work; the progress goes to the agent's log. */
    @FunctionalInterface
    public interface Work {
        String run(Progress progress) throws Exception;
    }
}
