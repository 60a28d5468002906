package dev.pgbox.service;

import dev.pgbox.Progress;
import dev.pgbox.cluster.Layout;
import dev.pgbox.component.Components;
import dev.pgbox.component.Project;
import dev.pgbox.config.Settings;
import dev.pgbox.install.Installer;
import dev.pgbox.install.PgInstallation;
import dev.pgbox.install.Requirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code pgbox install}: what every component needs on the machine, checked, and installed when missing. */
public final class InstallService {
    private InstallService() {
    }

    /** Checks every component's requirements without changing anything. */
    public static InstallReport check(Settings settings) {
        PgInstallation pg = Installer.installation(settings);
        Map<String, List<Requirement>> byComponent = Components.requirementsByComponent(Project.of(settings, Layout.resolve(settings, pg)));
        List<InstallReport.Entry> entries = new ArrayList<>();
        List<Requirement> all = new ArrayList<>();
        byComponent.forEach((component, requirements) -> requirements.forEach(r -> {
            entries.add(new InstallReport.Entry(r.name(), r.present(), r.packages(), component));
            all.add(r);
        }));
        Installer.Plan plan = new Installer.Plan(pg, all);
        return new InstallReport(pg.major(), plan.complete(), List.copyOf(entries), plan.complete() ? null : Installer.commandsFor(plan));
    }

    /** Installs what is missing (root only; otherwise says what to run); returns the check from before. */
    public static InstallReport install(Settings settings, Progress progress) {
        InstallReport before = check(settings);
        if (!before.complete()) {
            Installer.ensure(settings, Components.requirements(settings), progress);
        }
        return before;
    }
}
