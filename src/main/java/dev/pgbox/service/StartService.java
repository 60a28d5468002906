package dev.pgbox.service;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.apps.AppUrls;
import dev.pgbox.backup.CipherKey;
import dev.pgbox.cluster.ConfigGuard;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.PgCtl;
import dev.pgbox.cluster.Server;
import dev.pgbox.component.AgentComponent;
import dev.pgbox.component.Component;
import dev.pgbox.component.Components;
import dev.pgbox.component.Project;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.install.Installer;
import dev.pgbox.install.PgInstallation;
import dev.pgbox.install.Requirement;
import dev.pgbox.tune.MachineProbe;
import dev.pgbox.tune.RamPlan;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code pgbox start} and {@code pgbox restart}: install what any component lacks, then reconcile every
 * component in order (PostgreSQL, pgBackRest's stanza and first backup, the agent), doing only what is
 * missing.
 */
public final class StartService {
    private StartService() {
    }

    /** Brings every component up; a second start does nothing and says so. */
    public static StartReport start(Settings requested, Progress progress) {
        // the RAM plan first: a configuration whose worst case exceeds RAM changes nothing (PGBOX_PLAN_FORCE=on accepts it)
        RamPlan.require(requested, MachineProbe.plan(requested, requested.projectDir()), "start");
        Settings settings = CipherKey.ensure(requested);
        List<String> actions = new ArrayList<>();
        Installer.Plan check = Installer.check(settings, Components.requirements(settings));
        PgInstallation pg = check.pg();
        if (!check.complete()) {
            pg = Installer.ensure(settings, Components.requirements(settings), progress);
            actions.add("installed " + String.join(", ", check.missing().stream().map(Requirement::name).toList()));
        }
        Project project = Project.of(settings, Layout.resolve(settings, pg));
        for (Component c : Components.all()) {
            Component.Reconciled r = c.reconcile(project, progress);
            project = r.project();
            actions.addAll(r.actions());
        }
        syncJobs(project, progress);
        actions.addAll(reshareLimits(project, progress));
        return report(project, actions);
    }

    /**
     * The apps' planned connection limits follow a plan that changed (more RAM, another max_connections or profile);
     * a primary only (a replica's roles come from it). A failure is said, never the end of a start.
     */
    private static List<String> reshareLimits(Project project, Progress progress) {
        try {
            Server server = Server.open(project.settings());
            if (!server.running() || dev.pgbox.cluster.Standby.is(project.layout())) {
                return List.of();
            }
            return new dev.pgbox.apps.Apps(server).reshareConnectionLimits();
        } catch (PgboxException e) {
            progress.step("could not bring the apps' connection limits up to the plan: " + e.getMessage());
            return List.of();
        }
    }

    /**
     * Stops every component and starts them again, after PostgreSQL has judged the new configuration
     * (and the new port is free). If PostgreSQL then fails to start with it, the previous configuration
     * is put back and the server started again, so a restart never leaves it down.
     */
    public static StartReport restart(Settings settings, Progress progress) {
        RamPlan.require(settings, MachineProbe.plan(settings, settings.projectDir()), "restart");
        Server server = Server.open(settings);
        if (!server.running()) {
            return start(settings, progress);
        }
        progress.step("checking the new configuration with PostgreSQL");
        ConfigGuard.Snapshot previous = ConfigGuard.beforeRestart(server);
        progress.step("stopping");
        Project project = Project.of(settings, server.layout());
        StopService.stopAll(project);
        try {
            return start(settings, progress);
        } catch (PgboxException e) {
            if (server.running()) {
                throw e; // the server is up with the new configuration; what failed came after (e.g. a backup step)
            }
            progress.step("the server did not start with the new configuration; starting it with the previous one");
            long pid = ConfigGuard.startPrevious(server, previous);
            new AgentComponent().reconcile(project, progress); // its watchdog guards the server again
            // the previous configuration starts and the new one does not: a configuration error
            throw new PgboxException(ErrorKind.CONFIG, "restart failed: " + e.what()
                    + "; the server runs again with its previous configuration (pid " + pid + ")",
                    e.reason(), "fix the cause (the whole log is in " + server.layout().logDir()
                    + "), then run 'pgbox restart' again");
        }
    }

    /** Every app's default pg_cron jobs; a failure there is said, never the end of a start that brought the server up. */
    private static void syncJobs(Project project, Progress progress) {
        try {
            dev.pgbox.jobs.DefaultJobs.syncAll(Server.open(project.settings()), progress);
        } catch (PgboxException e) {
            progress.step("could not bring the apps' scheduled jobs up to date: " + e.getMessage() + " (pgbox jobs list)");
        }
    }

    static StartReport report(Project project, List<String> actions) {
        Settings s = project.settings();
        Layout l = project.layout();
        AppUrls urls = AppUrls.main(s, project.instance());
        return new StartReport(List.copyOf(actions), actions.isEmpty(), PgCtl.pid(l.dataDir()).orElse(-1),
                urls.libpq(), urls.jdbc(), s.get(Setting.POSTGRES_USER),
                s.projectDir().resolve(Settings.SECRETS_FILE).toString(), l.runDir().toString(), l.osUser(), l.dataDir().toString(),
                l.logDir().toString());
    }
}
