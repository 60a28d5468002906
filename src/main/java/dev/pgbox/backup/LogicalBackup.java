package dev.pgbox.backup;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.apps.AppName;
import dev.pgbox.apps.Apps;
import dev.pgbox.cluster.OwnedFiles;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * 'pgbox db backup' without --physical, and the agent's scheduled dump: chooses the databases (the
 * ones named, else the main database and every app), dumps them into a new dump set with its
 * manifest ({@link Dumps}), and uploads the set to S3 when the destination is a bucket.
 */
public final class LogicalBackup {
    private final Server server;

    public LogicalBackup(Server server) {
        this.server = server;
    }

    /**
     * What a dump did.
     *
     * @param folder the dump set's folder, or null once uploaded (the local copy is removed)
     * @param url the s3:// address of the uploaded set, or null
     * @param bytes the dump files' size in total
     * @param removed older dump sets removed by retention
     */
    public record Dumped(String folder, String url, List<String> databases, long bytes, List<String> removed) {
        /** Where the set is now: its URL, or its folder. */
        public String location() {
            return url != null ? url : folder;
        }
    }

    /**
     * Dumps {@code apps} (empty: every database) in {@code format} into {@code dest}: an absolute
     * folder, s3://bucket/prefix, or null for BACKUP_DIR. Names are checked before anything is dumped.
     */
    public Dumped take(List<String> apps, String format, String dest, Progress progress) {
        if (server.running()) {
            HaRestore.requireLeader(server, "take a backup"); // a stopped member is reported by the dump itself
        }
        List<String> dbs = databases(apps);
        boolean s3 = dest != null && dest.startsWith("s3://");
        if (dest != null && !s3 && !Path.of(dest).isAbsolute()) {
            throw new PgboxException(ErrorKind.USAGE, "invalid --dest " + dest, "a destination is an absolute folder or s3://bucket/prefix",
                    "e.g. --dest=/srv/dumps or --dest=s3://my-bucket/pgbox");
        }
        S3Upload upload = s3 ? new S3Upload(server.settings()) : null; // its settings are checked before dumping
        Path folder = new Dumps(server).dump(dbs, format, dest == null || s3 ? null : Path.of(dest), null, progress);
        long bytes = size(folder);
        if (!s3) {
            return new Dumped(folder.toString(), null, dbs, bytes, List.of());
        }
        progress.step("uploading " + folder.getFileName() + " to " + dest);
        String url = upload.upload(folder, dest, progress);
        OwnedFiles.deleteTree(folder);
        return new Dumped(null, url, dbs, bytes, List.of());
    }

    /**
     * Whether this project is a replica member of an HA cluster (Patroni keeps standby.signal on its
     * replicas): scheduled dumps, like physical backups and drills, run on the leader only, so a
     * cluster of N members does not keep N copies.
     */
    public boolean onReplicaMember() {
        return dev.pgbox.cluster.PatroniSupervisor.isMember(server.layout()) && dev.pgbox.cluster.Standby.is(server.layout());
    }

    /** The scheduled dump: every database, custom format, into BACKUP_DIR; then only the newest BACKUP_DUMP_RETENTION sets are kept. */
    public Dumped scheduled(Progress progress) {
        Dumps dumps = new Dumps(server);
        List<String> dbs = databases(List.of());
        Path folder = dumps.dump(dbs, "custom", null, null, progress);
        long bytes = size(folder);
        List<String> removed = dumps.enforceRetention(server.settings().integer(Setting.BACKUP_DUMP_RETENTION));
        return new Dumped(folder.toString(), null, dbs, bytes, removed);
    }

    /**
     * The databases to dump: the ones named (each must be the main database or a pgbox app), or, with
     * none named, the main database and every app. A stopped server is reported by the dump itself.
     */
    List<String> databases(List<String> named) {
        boolean running = server.running();
        if (named.isEmpty()) {
            return running ? new Apps(server).allDatabases() : List.of(server.settings().get(Setting.POSTGRES_DB));
        }
        if (running) {
            for (String app : named) {
                if (!app.equals(server.settings().get(Setting.POSTGRES_DB))) {
                    new Apps(server).requirePgboxApp(new AppName(app));
                }
            }
        }
        return new ArrayList<>(named);
    }

    private static long size(Path folder) {
        try {
            return Dumps.bytes(folder);
        } catch (IOException e) {
            return 0; // only for the report: the manifest holds each file's size
        }
    }
}
