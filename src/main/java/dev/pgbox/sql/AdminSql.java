package dev.pgbox.sql;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessResult;
import dev.pgbox.exec.ProcessRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * SQL as the superuser: psql over the Unix socket, authenticated by peer as the server's OS user.
 * There is no superuser password anywhere. SQL goes in through standard input, never argv.
 * Because psql runs backslash meta-commands from its input ({@code \!} starts a shell), every script
 * passes {@link ScriptGuard} first, and the session forces standard-conforming strings so psql's
 * lexer and the guard agree that a backslash inside '...' is a plain character.
 */
public final class AdminSql implements SqlDoor {
    /** Field separator in query output: ASCII unit separator, never in normal text. */
    private static final String SEP = "\u001f";

    /** The superuser role; reachable only over the socket by peer authentication. */
    public static final String SUPERUSER = "postgres";

    /**
     * Where the superuser reaches one server: the psql program of its major version, its socket
     * folder and port, and the OS user peer authentication maps to the superuser.
     */
    public record Endpoint(Path psql, Path socketDir, int port, String osUser) {
    }

    private final Endpoint at;

    public AdminSql(Endpoint at) {
        this.at = at;
    }

    public Endpoint endpoint() {
        return at;
    }

    /** Runs a script (psql meta-commands such as \gexec and \connect allowed) and returns its output. */
    public String run(String database, String script) {
        ScriptGuard.check(script);
        Command c = psql(database).stdin(script).timeout(Duration.ofMinutes(5)).build();
        ProcessResult r = ProcessRunner.run(c);
        if (!r.ok()) {
            throw failure(r, database);
        }
        return r.stdout();
    }

    /** Rows of a query, each a list of column texts (NULL as empty); {@code $n} parameters are quoted as literals. */
    @Override
    public List<List<String>> rows(String database, String sql, Object... params) {
        return run(database, Placeholders.inline(sql, params)).lines().filter(l -> !l.isEmpty())
                .map(l -> Arrays.asList(l.split(SEP, -1))).toList();
    }

    @Override
    public void execute(String database, String sql, Object... params) {
        run(database, Placeholders.inline(sql, params));
    }

    /** Why a wait for a writable server ended without one. */
    public record NotWritable(boolean stopped, String lastState) {
    }

    /**
     * Polls until the server answers and is out of recovery (pg_ctl -w returns while recovery still
     * runs). Returns null once writable, else why not: the server stopped ({@code alive} turned false)
     * or the time ran out.
     */
    public NotWritable awaitWritable(java.time.Duration timeout, java.util.function.BooleanSupplier alive) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                if ("f".equals(value("postgres", "SELECT pg_is_in_recovery()"))) {
                    return null;
                }
                last = "still in recovery";
            } catch (PgboxException e) {
                if (!alive.getAsBoolean()) {
                    return new NotWritable(true, e.reason());
                }
                last = e.reason();
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new NotWritable(false, "interrupted");
            }
        }
        return new NotWritable(false, last);
    }

    /**
     * One statement on an admin console that speaks PostgreSQL's protocol but is not PostgreSQL
     * (PgBouncer's {@code pgbouncer} database), reached at this endpoint's socket and port as
     * {@code user}. Such consoles refuse startup options, so none are sent; the first row returned
     * holds the column names, so callers read columns by name, not by position.
     */
    public List<List<String>> console(String user, String database, String statement) {
        ScriptGuard.check(statement);
        Command c = base(database, user, "-P", "footer=off").stdin(statement).timeout(Duration.ofSeconds(30)).build();
        ProcessResult r = ProcessRunner.run(c);
        if (!r.ok()) {
            throw failure(r, database);
        }
        return r.stdout().lines().filter(l -> !l.isEmpty()).map(l -> Arrays.asList(l.split(SEP, -1))).toList();
    }

    private Command.Builder psql(String database) {
        return base(database, SUPERUSER, "-t")
                // a database or role default of standard_conforming_strings=off would make psql read \' as an
                // escaped quote and end a literal where the guard did not; the startup option overrides both
                .env("PGOPTIONS", "-c standard_conforming_strings=on");
    }

    private Command.Builder base(String database, String user, String... output) {
        List<String> argv = new java.util.ArrayList<>(List.of("-X", "-q", "-A"));
        argv.addAll(List.of(output));
        argv.addAll(List.of("-F", SEP, "-v", "ON_ERROR_STOP=1"));
        argv.addAll(List.of("-h", at.socketDir().toString(), "-p", Integer.toString(at.port()), "-U", user, "-d", database, "-f", "-"));
        return Command.of(at.psql()).args(argv)
                .runAs(at.osUser())
                .env("PGAPPNAME", "pgbox")
                .env("PGCLIENTENCODING", "UTF8")
                .env("PGCONNECT_TIMEOUT", "10")
                .env("LC_ALL", "C.UTF-8");
    }

    private static PgboxException failure(ProcessResult r, String database) {
        String err = r.stderr().strip();
        if (err.contains("could not connect") || err.contains("No such file or directory") || err.contains("Connection refused")) {
            return new PgboxException(ErrorKind.NOT_RUNNING, "cannot reach the server as superuser", r.tail(2),
                    "run 'pgbox start', or 'pgbox status' to see what is wrong");
        }
        String line = err.lines().filter(l -> l.contains("ERROR:") || l.contains("FATAL:")).findFirst().orElse(r.tail(2));
        return new PgboxException(ErrorKind.SQL, "a pgbox administration statement failed in database " + database,
                line.replaceFirst("^psql:[^ ]* ", ""), "this is a pgbox bug or a changed server; see the server log");
    }
}
