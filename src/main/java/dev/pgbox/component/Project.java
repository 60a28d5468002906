package dev.pgbox.component;

import dev.pgbox.cluster.Instance;
import dev.pgbox.cluster.Layout;
import dev.pgbox.config.Settings;

/**
 * What every component works on: the project's settings, its folders and its PostgreSQL instance.
 */
public record Project(Settings settings, Layout layout, Instance instance) {

    public static Project of(Settings settings, Layout layout) {
        return new Project(settings, layout, Instance.primary(settings, layout));
    }
}
