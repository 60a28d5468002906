package dev.pgbox.component;

import dev.pgbox.Progress;
import dev.pgbox.backup.PhysicalBackups;
import dev.pgbox.backup.PgBackRestConf;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.install.Requirement;
import java.util.List;
import java.util.Map;

/**
 * pgBackRest: its package, pgbackrest.conf, the stanza and first full backup after a start, and the
 * health of WAL archiving (pg_stat_archiver). It has no process of its own: PostgreSQL's
 * archive_command runs it.
 */
public final class PgBackRestComponent implements Component {
    public static final String NAME = "pgbackrest";
    public static final String CONF_FILE = "pgbackrest.conf";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Requirement> requirements(Project project) {
        return Requirement.pgbackrest();
    }

    @Override
    public Map<String, String> render(Project project) {
        return render(project.settings(), project.layout());
    }

    /** pgbackrest.conf from the settings and the layout. Pure. */
    public static Map<String, String> render(Settings settings, Layout layout) {
        return Map.of(CONF_FILE, PgBackRestConf.render(settings, layout));
    }

    @Override
    public Reconciled reconcile(Project project, Progress progress) {
        if (dev.pgbox.cluster.Standby.is(project.layout())) {
            return new Reconciled(project, List.of()); // a hot standby is read-only: the stanza and backups are its primary's
        }
        if (dev.pgbox.cluster.PatroniSupervisor.isMember(project.layout())
                && "t".equals(project.instance().admin().value("postgres", "SELECT pg_is_in_recovery()"))) {
            return new Reconciled(project, List.of()); // an HA replica: the leader keeps the stanza and takes the backups
        }
        return new Reconciled(project, new PhysicalBackups(Server.of(project.settings(), project.layout())).afterStart(progress));
    }

    @Override
    public List<String> stop(Project project) {
        return List.of(); // no process: archiving stops with PostgreSQL
    }

    @Override
    public Health health(Project project) {
        if (!archiving(project.settings())) {
            return Health.off(NAME, "WAL archiving off (BACKUP_ARCHIVE=off): no point-in-time recovery");
        }
        if (!project.instance().running()) {
            return new Health(NAME, Health.State.DOWN, "nothing is archived while PostgreSQL is stopped", "run 'pgbox start'");
        }
        Archiver a = archiver(project);
        if (!a.ok()) {
            return new Health(NAME, Health.State.DEGRADED, "archiver failing: " + a.failedCount() + " failures, last " + a.lastFailedWal(),
                    a.fix());
        }
        return Health.up(NAME, "archiver ok · " + a.archivedCount() + " WAL files archived");
    }

    static boolean archiving(Settings s) {
        return "on".equals(s.get(Setting.BACKUP_ARCHIVE));
    }

    /**
     * WAL archiving as pg_stat_archiver tells it, with the fix when it fails (a failure newer than the
     * last success). The server must run.
     *
     * @param lastArchivedEpoch 0 when nothing was archived yet
     * @param fix null unless the archiver is failing
     */
    public record Archiver(boolean archiving, long archivedCount, String lastArchivedWal, long lastArchivedEpoch, long failedCount,
                           String lastFailedWal, long lastFailedEpoch, boolean ok, String fix) {
    }

    public static Archiver archiver(Project project) {
        Settings s = project.settings();
        Layout l = project.layout();
        List<String> a = new PhysicalBackups(Server.of(s, l)).archiverRow();
        long lastArchived = a.get(2).isEmpty() ? 0 : Long.parseLong(a.get(2));
        long lastFailed = a.get(5).isEmpty() ? 0 : Long.parseLong(a.get(5));
        boolean failing = lastFailed > lastArchived;
        boolean archiving = archiving(s);
        String fix = failing ? "pgBackRest cannot store WAL: check that " + PgBackRestConf.describe(s, l)
                + " exists, is writable by " + l.osUser() + " and has free space; details in " + l.logDir() + "/pgbackrest" : null;
        return new Archiver(archiving, Long.parseLong(a.get(0)), a.get(1), lastArchived, Long.parseLong(a.get(3)), a.get(4), lastFailed,
                !archiving || !failing, fix);
    }
}
