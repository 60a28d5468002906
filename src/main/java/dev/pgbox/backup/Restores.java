package dev.pgbox.backup;

import dev.pgbox.Progress;
import dev.pgbox.apps.AppName;
import dev.pgbox.apps.Apps;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * 'pgbox db restore' as one service: drops the databases earlier restores kept, restores one database
 * from a dump file, rewinds one app to a point in time, or rewinds the whole cluster to a time or a
 * restore point. Returns what it did; asking the user first is the front end's part.
 */
public final class Restores {
    private final Settings settings;

    public Restores(Settings settings) {
        this.settings = settings;
    }

    /**
     * What to restore: exactly one of {@code time}, {@code point}, {@code file} or {@code cleanup}.
     *
     * @param app with {@code file}: which database of a dump set, and the target; with {@code time}: rewind only this app
     * @param into with {@code file}: restore into this database instead
     * @param force with {@code file}: replace a non-empty database (a safety dump is taken first)
     */
    public record Request(Instant time, String point, Path file, boolean cleanup, String app, String into, boolean force) {
        /** Whether this rewinds every app (the front end asks first). */
        public boolean wholeCluster() {
            return !cleanup && file == null && (point != null || time != null && app == null);
        }
    }

    /** What a restore did: one of the records below, or {@link Pitr.Recovered} for the whole cluster. */
    public sealed interface Outcome permits Cleaned, FromFile, AppRewound, Pitr.Recovered {
    }

    /** The kept databases dropped by --cleanup. */
    public record Cleaned(List<String> dropped) implements Outcome {
    }

    /** One database restored from a dump file. */
    public record FromFile(FileRestore.Result result) implements Outcome {
    }

    /** One app rewound to {@code target}; the others untouched. */
    public record AppRewound(String target, FileRestore.Result result) implements Outcome {
    }

    public Outcome run(Request r, Progress progress) {
        if (r.cleanup()) {
            return new Cleaned(new FileRestore(Server.open(settings)).cleanup());
        }
        if (r.file() != null) {
            return new FromFile(new FileRestore(Server.open(settings)).restore(r.file(), r.app(), r.into(), r.force(), progress));
        }
        PhysicalBackups physical = PhysicalBackups.open(settings);
        Pitr pitr = new Pitr(physical);
        if (r.app() != null && r.time() != null) {
            if (!r.app().equals(settings.get(Setting.POSTGRES_DB))) {
                new Apps(physical.server()).requirePgboxApp(new AppName(r.app()));
            }
            return new AppRewound(RecoveryTarget.pg(r.time()), pitr.oneApp(r.app(), r.time(), progress));
        }
        return r.time() != null ? pitr.wholeCluster(r.time(), progress) : pitr.toRestorePoint(r.point(), progress);
    }
}
