package dev.pgbox.backup;

import dev.pgbox.cluster.Layout;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import java.nio.file.Path;

/** pgBackRest's configuration for one project: its own repository, logs and lock folder, one stanza. */
public final class PgBackRestConf {
    private PgBackRestConf() {
    }

    /** True when BACKUP_REPO names an S3 bucket. */
    public static boolean s3(Settings s) {
        return s.get(Setting.BACKUP_REPO).startsWith("s3://");
    }

    /** The repository folder: BACKUP_REPO or the state dir's backup/repo (for S3: the path inside the bucket). */
    public static Path repo(Settings s, Layout l) {
        if (s3(s)) {
            String rest = s.get(Setting.BACKUP_REPO).substring("s3://".length());
            int slash = rest.indexOf('/');
            return Path.of(slash < 0 || slash == rest.length() - 1 ? "/" : rest.substring(slash));
        }
        // an existing folder of the user's gets pgbox's own subfolder (pgbox-<project>-<hash>), its mode and owner untouched
        return s.isSet(Setting.BACKUP_REPO) ? dev.pgbox.cluster.OwnedFiles.placeIn(Path.of(s.get(Setting.BACKUP_REPO)), l.projectDir())
                : l.backupDir().resolve("repo");
    }

    /** pgBackRest's spool for asynchronous archive-push (status files only), in the project's own backup folder. */
    public static Path spool(Layout l) {
        return l.backupDir().resolve("spool");
    }

    /**
     * Parallel processes pushing WAL during a burst: half the CPUs, 1 to 4. The other half stays with the
     * server that writes the WAL (a bulk load runs on one backend; archiving must keep up, not take over).
     */
    static int archivePushProcesses(int cpus) {
        return Math.max(1, Math.min(4, cpus / 2));
    }

    /** Where the repository is, for messages. */
    public static String describe(Settings s, Layout l) {
        return s3(s) ? s.get(Setting.BACKUP_REPO) + " at " + s.get(Setting.BACKUP_S3_ENDPOINT) : repo(s, l).toString();
    }

    public static String render(Settings s, Layout l) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Managed by pgbox: rewritten on every start. Do not edit; set BACKUP_* in .env.dev instead.\n")
                .append("[global]\n")
                .append("repo1-path=").append(repo(s, l)).append('\n');
        if (s3(s)) {
            String bucketAndPath = s.get(Setting.BACKUP_REPO).substring("s3://".length());
            String bucket = bucketAndPath.contains("/") ? bucketAndPath.substring(0, bucketAndPath.indexOf('/')) : bucketAndPath;
            String endpoint = s.get(Setting.BACKUP_S3_ENDPOINT);
            sb.append("repo1-type=s3\n")
                    .append("repo1-s3-bucket=").append(bucket).append('\n')
                    .append("repo1-s3-endpoint=").append(endpoint.contains(":") ? endpoint.substring(0, endpoint.indexOf(':')) : endpoint).append('\n');
            if (endpoint.contains(":")) {
                sb.append("repo1-storage-port=").append(endpoint.substring(endpoint.indexOf(':') + 1)).append('\n');
            }
            sb.append("repo1-s3-region=").append(s.get(Setting.BACKUP_S3_REGION)).append('\n')
                    .append("repo1-s3-key=").append(s.get(Setting.BACKUP_S3_KEY)).append('\n')
                    .append("repo1-s3-key-secret=").append(s.get(Setting.BACKUP_S3_KEY_SECRET)).append('\n')
                    .append("repo1-s3-uri-style=").append(s.get(Setting.BACKUP_S3_URI_STYLE)).append('\n');
            if ("off".equals(s.get(Setting.BACKUP_S3_VERIFY_TLS))) {
                sb.append("repo1-storage-verify-tls=n\n");
            }
        }
        sb
                .append("repo1-retention-full=").append(s.get(Setting.BACKUP_RETENTION_FULL)).append('\n')
                .append("repo1-retention-diff=").append(s.get(Setting.BACKUP_RETENTION_DIFF)).append('\n');
        if ("on".equals(s.get(Setting.BACKUP_ENCRYPT))) {
            sb.append("repo1-cipher-type=aes-256-cbc\n")
                    .append("repo1-cipher-pass=").append(s.get(Setting.BACKUP_CIPHER_PASS)).append('\n');
        }
        sb.append("compress-type=").append(s.get(Setting.BACKUP_COMPRESS)).append('\n')
                .append("process-max=").append(s.isSet(Setting.BACKUP_PROCESS_MAX) ? s.integer(Setting.BACKUP_PROCESS_MAX)
                        : Math.max(1, Runtime.getRuntime().availableProcessors())).append('\n')
                .append("log-path=").append(l.logDir().resolve("pgbackrest")).append('\n')
                // a lock folder per project: two projects on one machine never wait for each other
                .append("lock-path=").append(l.runDir().resolve("pgbackrest")).append('\n')
                .append("log-level-console=warn\n")
                .append("log-level-file=info\n")
                .append("start-fast=y\n")
                .append("spool-path=").append(spool(l)).append('\n')
                .append('\n')
                // Asynchronous archiving: archive_command still succeeds only once the WAL file is in the
                // repository, but one long-lived pgBackRest process pushes the waiting files ahead, instead of a
                // new process (config, repository info, compression) per 16MB segment. During a bulk load this
                // was most of the archiving cost. Only archive-push: a restore's archive-get stays synchronous,
                // so a scratch cluster or a replica never shares the spool queue with the primary.
                .append("[global:archive-push]\n")
                .append("archive-async=y\n")
                .append("process-max=").append(archivePushProcesses(Runtime.getRuntime().availableProcessors())).append('\n')
                .append('\n')
                .append('[').append(PgBackRest.STANZA).append("]\n")
                .append("pg1-path=").append(l.dataDir()).append('\n')
                .append("pg1-port=").append(s.get(Setting.POSTGRES_PORT)).append('\n')
                .append("pg1-socket-path=").append(l.runDir()).append('\n')
                .append("pg1-user=").append(dev.pgbox.sql.AdminSql.SUPERUSER).append('\n');
        return sb.toString();
    }

}
