package dev.pgbox.pool;

import dev.pgbox.cluster.Layout;
import java.nio.file.Path;

/**
 * Where PgBouncer's files live for one project, all in pgbox's own state folders and owned by the OS
 * user that runs it: its configuration folder (0700: pgbouncer.ini, its hba file, the console's user
 * list) under the state dir, its PID file and Unix socket in the server's run dir, its log beside the
 * server's logs.
 */
public record PgBouncerFiles(Path dir, Path ini, Path hba, Path users, Path pidFile, Path log, Path wanted) {
    public static final String INI = "pgbouncer.ini";
    public static final String HBA = "pgbouncer_hba.conf";
    public static final String USERS = "console_users.txt";

    public static PgBouncerFiles of(Layout l) {
        Path dir = l.stateDir().resolve("pgbouncer");
        return new PgBouncerFiles(dir, dir.resolve(INI), dir.resolve(HBA), dir.resolve(USERS), l.runDir().resolve("pgbouncer.pid"),
                l.logDir().resolve("pgbouncer.log"), l.runDir().resolve("pgbouncer.wanted"));
    }

    /** The server's TLS key (the certificate's sibling in the data dir), which PgBouncer shows its TCP clients too. */
    public static Path tlsKey(Layout l) {
        return l.certificate().resolveSibling("server.key");
    }
}
