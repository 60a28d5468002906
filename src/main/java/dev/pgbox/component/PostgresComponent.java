package dev.pgbox.component;

import dev.pgbox.Progress;
import dev.pgbox.cluster.ConfigWriter;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.PatroniSupervisor;
import dev.pgbox.cluster.PgCtl;
import dev.pgbox.cluster.Server;
import dev.pgbox.cluster.Startup;
import dev.pgbox.config.Settings;
import dev.pgbox.install.Installer;
import dev.pgbox.install.PgInstallation;
import dev.pgbox.install.Requirement;
import dev.pgbox.tune.TuningPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL itself: the server and extension packages, pgbox.conf / pg_hba.conf / pg_ident.conf,
 * start (init, configure, launch, bootstrap; or reload a running one) and stop through its supervisor.
 */
public final class PostgresComponent implements Component {
    public static final String NAME = "postgresql";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Requirement> requirements(Project project) {
        PgInstallation pg = project.layout().pg();
        return Requirement.postgres(pg, Installer.pgvectorPackaged(pg));
    }

    @Override
    public Map<String, String> render(Project project) {
        return render(project.settings(), project.layout(), project.plan());
    }

    /** pgbox.conf, pg_hba.conf and pg_ident.conf from the settings, the layout and the tuning plan. Pure. */
    public static Map<String, String> render(Settings settings, Layout layout, TuningPlan plan) {
        return ConfigWriter.render(settings, layout, plan);
    }

    @Override
    public Reconciled reconcile(Project project, Progress progress) {
        if (PatroniSupervisor.isMember(project.layout())) {
            return member(project, progress);
        }
        Startup.Result r = Startup.run(project.settings(), project.layout(), progress);
        return new Reconciled(project.with(r.settings()), r.actions());
    }

    /**
     * An HA member: Patroni owns PostgreSQL's configuration files (it writes postgresql.conf and pg_hba.conf
     * from patroni.yml), so pgbox renders etcd.yml and patroni.yml again from the settings (a running
     * Patroni reloads a changed one), starts what is down through Patroni, and sets up the role and
     * database only where this member leads.
     */
    private static Reconciled member(Project project, Progress progress) {
        List<String> actions = new ArrayList<>();
        actions.addAll(new EtcdComponent().reconcile(project, progress).actions());
        if (PatroniSupervisor.running(project.layout(), PatroniSupervisor.PATRONI).isPresent()) {
            actions.addAll(new PatroniComponent().reconcile(project, progress).actions());
        } else {
            PatroniComponent.writeConfig(project);
        }
        Startup.Result r = Startup.member(project.settings(), project.layout(), progress);
        actions.addAll(r.actions());
        actions.addAll(PatroniComponent.syncClusterConfig(project));
        return new Reconciled(project.with(r.settings()), actions);
    }

    @Override
    public List<String> stop(Project project) {
        if (!project.instance().running()) {
            return List.of();
        }
        return List.of(Server.of(project.settings(), project.layout()).stop() + " shutdown");
    }

    @Override
    public Health health(Project project) {
        Layout l = project.layout();
        if (project.instance().running()) {
            return Health.up(NAME, "running · PostgreSQL " + l.pg().major() + " · pid " + PgCtl.pid(l.dataDir()).orElse(-1)
                    + " · port " + project.instance().port());
        }
        return new Health(NAME, Health.State.DOWN, l.initialized() ? "stopped" : "no cluster yet in " + l.dataDir(),
                "run 'pgbox start'");
    }
}
