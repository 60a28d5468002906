package dev.pgbox.component;

import dev.pgbox.cluster.Instance;
import dev.pgbox.cluster.Layout;
import dev.pgbox.config.Settings;
import dev.pgbox.tune.MachineProbe;
import dev.pgbox.tune.TuningPlan;

/**
 * What every component works on: the project's settings, its folders and its PostgreSQL instance.
 */
public record Project(Settings settings, Layout layout, Instance instance) {

    public static Project of(Settings settings, Layout layout) {
        return new Project(settings, layout, Instance.primary(settings, layout));
    }

    /** The same project with other settings (a generated secret added). */
    public Project with(Settings other) {
        return of(other, layout);
    }

    /** The tuning plan for this machine (reads /proc and the data dir's disk). */
    public TuningPlan plan() {
        return MachineProbe.plan(settings, layout.dataDir());
    }
}
