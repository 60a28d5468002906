package dev.pgbox.install;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Something pgbox needs on the machine: how to tell it is there (files, no apt call, so the check
 * is instant on every start), which Debian packages bring it, and whether pgbox then builds or
 * unpacks something from a Debian source package.
 */
public record Requirement(String name, boolean present, List<String> packages, Source source) {

    /** What pgbox does after apt-get install for a requirement no binary package of this release meets. */
    public enum Source {
        /** Nothing: the packages are the requirement. */
        NONE,
        /** Builds pgvector from Debian trixie's source package (no binary package for the major). */
        PGVECTOR,
        /** Unpacks Patroni from Debian trixie's source package (bookworm's 3.0.2 loses writes on partition heal). */
        PATRONI
    }

    /** A requirement the packages alone meet. */
    public Requirement(String name, boolean present, List<String> packages) {
        this(name, present, packages, Source.NONE);
    }

    public boolean buildPgvector() {
        return source == Source.PGVECTOR;
    }

    /** What PostgreSQL needs for one major: the server, contrib, the extensions pgbox enables, openssl for its certificate. */
    public static List<Requirement> postgres(PgInstallation pg, boolean pgvectorPackaged) {
        int n = pg.major();
        return List.of(
                new Requirement("PostgreSQL " + n + " server", pg.hasServer(), List.of("postgresql-" + n)),
                new Requirement("contrib extensions (pg_stat_statements, pgcrypto, pg_trgm, ltree, ...)",
                        pg.hasExtension("pg_stat_statements") && pg.hasExtension("ltree") && pg.hasExtension("btree_gin"),
                        List.of("postgresql-" + n)),
                new Requirement("pg_partman", pg.hasExtension("pg_partman"), List.of("postgresql-" + n + "-partman")),
                new Requirement("pg_cron", pg.hasExtension("pg_cron"), List.of("postgresql-" + n + "-cron")),
                pgvectorPackaged
                        ? new Requirement("pgvector", pg.hasExtension("vector"), List.of("postgresql-" + n + "-pgvector"))
                        : new Requirement("pgvector (built from Debian's source package)", pg.hasExtension("vector"),
                                List.of("dpkg-dev", "make", "gcc", "postgresql-server-dev-" + n), Source.PGVECTOR),
                new Requirement("libpg_query (PostgreSQL's parser, for schema lint and migrations)", Tools.libpgQuery() != null,
                        List.of("libpg-query1504.0")),
                new Requirement("openssl (TLS certificate)", Files.isExecutable(Path.of(Tools.OPENSSL)), List.of("openssl")));
    }

    /** What backups and WAL archiving need. */
    public static List<Requirement> pgbackrest() {
        return List.of(new Requirement("pgBackRest (backups, WAL archiving)", Files.isExecutable(Path.of(Tools.PGBACKREST)),
                List.of("pgbackrest")));
    }

    /** What Patroni needs: Debian's Python libraries it imports, and Patroni itself from trixie's source package. */
    public static List<Requirement> patroni() {
        return List.of(
                new Requirement("Python libraries for Patroni (psycopg2, etcd, urllib3, yaml, click, ...)",
                        PatroniSource.librariesPresent(), PatroniSource.PYTHON_PACKAGES),
                new Requirement("Patroni " + PatroniSource.MIN_VERSION + " or newer (from Debian trixie's source package)",
                        PatroniSource.installedVersion().isPresent(), PatroniSource.TOOL_PACKAGES, Source.PATRONI));
    }

    /** What etcd needs: Debian's server and etcdctl. pgbox runs its own members; Debian's own etcd unit is retired. */
    public static List<Requirement> etcd() {
        return List.of(
                new Requirement("etcd server (Debian's etcd-server)", Files.isExecutable(Path.of(Tools.ETCD)), List.of(DebianEtcd.SERVER_PACKAGE)),
                new Requirement("etcdctl (Debian's etcd-client)", Files.isExecutable(Path.of(Tools.ETCDCTL)), List.of("etcd-client")));
    }
}
