package dev.pgbox.backup;

import dev.pgbox.cluster.Layout;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import java.nio.file.Path;

/** pgBackRest's configuration for one project: its own repository, logs and lock folder, one stanza. */
public final class PgBackRestConf {
    private PgBackRestConf() {
    }

    /** The repository folder: BACKUP_REPO or the state dir's backup/repo. */
    public static Path repo(Settings s, Layout l) {
        return s.isSet(Setting.BACKUP_REPO) ? Path.of(s.get(Setting.BACKUP_REPO)) : l.backupDir().resolve("repo");
    }

    public static String render(Settings s, Layout l) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Managed by pgbox: rewritten on every start. Do not edit; set BACKUP_* in .env.dev instead.\n")
                .append("[global]\n")
                .append("repo1-path=").append(repo(s, l)).append('\n')
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
                .append('\n')
                .append('[').append(PgBackRest.STANZA).append("]\n")
                .append("pg1-path=").append(l.dataDir()).append('\n')
                .append("pg1-port=").append(s.get(Setting.POSTGRES_PORT)).append('\n')
                .append("pg1-socket-path=").append(l.runDir()).append('\n')
                .append("pg1-user=").append(Layout.SUPERUSER).append('\n');
        return sb.toString();
    }

}
