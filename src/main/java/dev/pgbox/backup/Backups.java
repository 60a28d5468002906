package dev.pgbox.backup;

import dev.pgbox.Progress;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Settings;
import java.util.List;

/**
 * The backup facts start and status use, kept as one small entry point: the cipher key, the stanza
 * and first backup after a start, whether archiving is on, the physical backups and the archiver's
 * counters. The work lives in {@link CipherKey}, {@link PhysicalBackups}, {@link Pitr} and
 * {@link RestorePoints}.
 */
public final class Backups {
    private final PhysicalBackups physical;

    public Backups(Server server) {
        this.physical = new PhysicalBackups(server);
    }

    /** With BACKUP_ENCRYPT=on, makes sure a cipher key exists in .env.secrets (generated once, 0600). */
    public static Settings withCipherKey(Settings s) {
        return CipherKey.ensure(s);
    }

    public boolean archiving() {
        return physical.archiving();
    }

    public PgBackRest pgbackrest() {
        return physical.pgbackrest();
    }

    /** After every start: pgBackRest's config; the first time, the stanza and a full backup. Returns what it did. */
    public List<String> afterStart(Progress progress) {
        return physical.afterStart(progress);
    }

    public List<BackupSet> physicalBackups() {
        return physical.list();
    }

    /** pg_stat_archiver as one row, for status (see {@link PhysicalBackups#archiverRow}). */
    public List<String> archiverRow() {
        return physical.archiverRow();
    }
}
