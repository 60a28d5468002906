package dev.pgbox.service;

import dev.pgbox.Progress;
import dev.pgbox.apps.AppName;
import dev.pgbox.apps.Apps;
import dev.pgbox.backup.Dumps;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import java.nio.file.Files;
import java.util.List;

/**
 * 'pgbox app drop': when the project keeps backups (WAL archiving on, or dumps made before), one
 * last dump of the app is taken before its database and roles go.
 */
public final class AppRemoval {
    private AppRemoval() {
    }

    /**
     * What the drop did.
     *
     * @param finalDump the folder of the last dump, or null when the project keeps no backups
     */
    public record Dropped(String app, List<String> roles, String finalDump) {
    }

    /** Fails (CONFIG) unless the app can go now: it exists, is pgbox's, and has no sessions open (or {@code force}). */
    public static void check(Server server, AppName app, boolean force) {
        dev.pgbox.pool.Pooler.releaseDatabase(server, app.value(), force); // PgBouncer's idle connections are not sessions
        new Apps(server).checkCanDrop(app, force);
    }

    public static Dropped drop(Server server, AppName app, boolean force, Progress progress) {
        Apps apps = new Apps(server);
        dev.pgbox.pool.Pooler.releaseDatabase(server, app.value(), force); // PgBouncer's idle connections are not sessions
        apps.checkCanDrop(app, force);
        String finalDump = null;
        Dumps dumps = new Dumps(server);
        if ("on".equals(server.settings().get(Setting.BACKUP_ARCHIVE)) || Files.isDirectory(dumps.home())) {
            finalDump = dumps.dump(List.of(app.value()), "custom", null, "final-" + app, progress).toString();
        }
        apps.drop(app, force);
        apps.reshareConnectionLimits().forEach(progress::step); // the apps left share its room
        dev.pgbox.pool.Pooler.appsChanged(server, progress).forEach(progress::step); // its pools leave PgBouncer
        dev.pgbox.jobs.DefaultJobs.forget(server, app, progress); // its scheduled jobs would fail every run from now on
        return new Dropped(app.value(), List.of(app.loginRole(), app.ownerRole(), app.readonlyRole()), finalDump);
    }
}
