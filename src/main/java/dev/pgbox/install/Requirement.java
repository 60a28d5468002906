package dev.pgbox.install;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Something pgbox needs on the machine: how to tell it is there (files, no apt call, so the check
 * is instant on every start) and which Debian packages bring it.
 */
public record Requirement(String name, boolean present, List<String> packages, boolean buildPgvector) {

    /** What PostgreSQL needs for one major: the server, contrib, the extensions pgbox enables, openssl for its certificate. */
    public static List<Requirement> postgres(PgInstallation pg, boolean pgvectorPackaged) {
        int n = pg.major();
        return List.of(
                new Requirement("PostgreSQL " + n + " server", pg.hasServer(), List.of("postgresql-" + n), false),
                new Requirement("contrib extensions (pg_stat_statements, pgcrypto, pg_trgm, ltree, ...)",
                        pg.hasExtension("pg_stat_statements") && pg.hasExtension("ltree") && pg.hasExtension("btree_gin"),
                        List.of("postgresql-" + n), false),
                new Requirement("pg_partman", pg.hasExtension("pg_partman"), List.of("postgresql-" + n + "-partman"), false),
                new Requirement("pg_cron", pg.hasExtension("pg_cron"), List.of("postgresql-" + n + "-cron"), false),
                pgvectorPackaged
                        ? new Requirement("pgvector", pg.hasExtension("vector"), List.of("postgresql-" + n + "-pgvector"), false)
                        : new Requirement("pgvector (built from Debian's source package)", pg.hasExtension("vector"),
                                List.of("dpkg-dev", "make", "gcc", "postgresql-server-dev-" + n), true),
                new Requirement("openssl (TLS certificate)", Files.isExecutable(Path.of(Tools.OPENSSL)), List.of("openssl"), false));
    }

    /** What backups and WAL archiving need. */
    public static List<Requirement> pgbackrest() {
        return List.of(new Requirement("pgBackRest (backups, WAL archiving)", Files.isExecutable(Path.of(Tools.PGBACKREST)),
                List.of("pgbackrest"), false));
    }
}
