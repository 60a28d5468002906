package dev.pgbox.schema.migrate;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.apps.AppName;
import dev.pgbox.apps.Connections;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.schema.ParsedSql;
import dev.pgbox.schema.SqlParser;
import dev.pgbox.schema.lint.LintReport;
import dev.pgbox.schema.lint.Linter;
import dev.pgbox.schema.lint.SqlSource;
import dev.pgbox.sql.Jdbc;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * pgbox migrate up/down/status for one app: the migration files in the project folder against the
 * history table in the app's database. Changes run as the app's owner role on one connection that
 * holds an advisory lock for the whole run, so two tools (or two projects) cannot migrate one
 * database at once.
 */
public final class Migrator {
    /** pg_advisory_lock key of 'a migration runs in this database' (any constant; "pgbx" in ASCII). */
    static final long LOCK_KEY = 0x70676278L;

    private final Server server;
    private final AppName app;
    private final Path projectDir;

    public Migrator(Server server, AppName app) {
        this.server = server;
        this.app = app;
        this.projectDir = server.settings().projectDir();
    }

    /** Applied, pending, drifted and missing migrations (reads only; the history table may not exist yet). */
    public StatusReport status() {
        List<MigrationFile> files = MigrationFiles.list(projectDir, app);
        List<Applied> applied = withConnection(c -> History.read(c));
        List<MigrationStatus> all = Plan.status(files, applied);
        return new StatusReport(app.value(), Plan.shown(projectDir, MigrationFiles.folder(projectDir, app)), count(all, MigrationStatus.APPLIED),
                count(all, MigrationStatus.PENDING), count(all, MigrationStatus.DRIFTED), count(all, MigrationStatus.MISSING), all);
    }

    /**
     * Applies the pending migrations (up to {@code to}): parses all of them first, lints them (refusing
     * on errors unless {@code acceptRisk}), makes a restore point, then runs them oldest first.
     */
    public MigrateReport up(String to, boolean acceptRisk, boolean dryRun, Progress progress) {
        List<MigrationFile> files = MigrationFiles.list(projectDir, app);
        return withConnection(c -> {
            lock(c);
            List<Applied> applied = History.read(c);
            refuseDrift(Plan.status(files, applied));
            List<MigrationFile> pending = Plan.toApply(files, applied, to, app.value());
            List<Runner.Script> scripts = new ArrayList<>();
            List<SqlSource> sources = new ArrayList<>();
            for (MigrationFile f : pending) {
                String shown = Plan.shown(projectDir, f.up());
                String text = MigrationFiles.read(f.up());
                scripts.add(script(f, shown, text));
                sources.add(new SqlSource(shown, text));
            }
            LintReport lint = Linter.live(server, app.value()).runnerSetsTimeouts().lint(sources);
            if (!lint.passed() && !acceptRisk) {
                throw new LintRefusal(app.value(), lint);
            }
            List<MigrateReport.Step> steps = new ArrayList<>();
            if (dryRun || pending.isEmpty()) {
                scripts.forEach(s -> steps.add(step(s, 0)));
                return new MigrateReport(app.value(), "up", dryRun, null, steps, lint);
            }
            History.ensure(c);
            String point = restorePoint("pgbox-migrate-", pending.get(0).version());
            progress.step("restore point " + point + " (pg_create_restore_point: point-in-time recovery can stop right before this run)");
            String by = appliedBy();
            for (int i = 0; i < pending.size(); i++) {
                MigrationFile f = pending.get(i);
                Runner.Script s = scripts.get(i);
                String checksum = MigrationFiles.checksum(f.up());
                String downChecksum = f.down() == null ? null : MigrationFiles.checksum(f.down());
                long ms = Runner.run(c, s, (conn, took) -> History.insert(conn, new Applied(f.version(), f.name(), checksum, downChecksum, null, by,
                        took, s.execution().label())), lockTimeout(), statementTimeout(), app.value());
                steps.add(step(s, ms));
                progress.step(line("applied", s, ms));
            }
            return new MigrateReport(app.value(), "up", false, point, steps, lint);
        });
    }

    /**
     * Reverts the newest {@code steps} applied migrations (default 1), or every one newer than
     * {@code to}, newest first, by their down files. Refuses a missing down file, and an up file that
     * changed since it was applied (the down file may no longer match) unless {@code force}.
     */
    public MigrateReport down(Integer steps, String to, boolean force, boolean dryRun, Progress progress) {
        List<MigrationFile> files = MigrationFiles.list(projectDir, app);
        return withConnection(c -> {
            lock(c);
            List<Applied> applied = History.read(c);
            List<Applied> revert = Plan.toRevert(applied, steps, to, app.value());
            List<MigrationStatus> status = Plan.status(files, applied);
            List<Runner.Script> scripts = new ArrayList<>();
            for (Applied a : revert) {
                MigrationFile f = files.stream().filter(x -> x.version().equals(a.version())).findFirst().orElse(null);
                if (f == null || f.down() == null) {
                    throw new PgboxException(ErrorKind.USAGE, "cannot revert " + a.version() + "_" + a.name() + " of app '" + app + "': it has no down file",
                            "expected " + Plan.shown(projectDir, MigrationFiles.folder(projectDir, app).resolve(a.version() + "_" + a.name() + ".down.sql")),
                            "write the down file (the reverse of the up file), or restore it from version control; nothing was reverted");
                }
                String state = status.stream().filter(x -> x.version().equals(a.version())).findFirst().orElseThrow().state();
                if (!state.equals(MigrationStatus.APPLIED) && !force) {
                    throw new PgboxException(ErrorKind.FINDINGS, "cannot revert " + a.version() + "_" + a.name() + " of app '" + app + "': its up file is "
                            + (state.equals(MigrationStatus.MISSING) ? "gone" : "changed since it was applied"),
                            "the down file was written for the up file as it was applied; it may not undo what actually ran",
                            "restore the up file as it was (git), or check the down file by hand and run again with --force; nothing was reverted");
                }
                scripts.add(script(f, Plan.shown(projectDir, f.down()), MigrationFiles.read(f.down())));
            }
            List<MigrateReport.Step> done = new ArrayList<>();
            if (dryRun || revert.isEmpty()) {
                scripts.forEach(s -> done.add(step(s, 0)));
                return new MigrateReport(app.value(), "down", dryRun, null, done, null);
            }
            String point = restorePoint("pgbox-revert-", revert.get(0).version());
            progress.step("restore point " + point + " (pg_create_restore_point: point-in-time recovery can stop right before this run)");
            for (int i = 0; i < revert.size(); i++) {
                Applied a = revert.get(i);
                Runner.Script s = scripts.get(i);
                long ms = Runner.run(c, s, (conn, took) -> History.delete(conn, a.version()), lockTimeout(), statementTimeout(), app.value());
                done.add(step(s, ms));
                progress.step(line("reverted", s, ms));
            }
            return new MigrateReport(app.value(), "down", false, point, done, null);
        });
    }

    /** Parses a file (a syntax error stops everything before anything ran) and decides how it runs. */
    private Runner.Script script(MigrationFile f, String shown, String text) {
        ParsedSql sql = SqlParser.parse(shown, text);
        return new Runner.Script(f.version(), f.name(), shown, sql, Execution.of(sql));
    }

    private static MigrateReport.Step step(Runner.Script s, long ms) {
        return new MigrateReport.Step(s.version(), s.name(), s.shownPath(), s.execution().label(), s.sql().statements().size(), ms);
    }

    private static String line(String verb, Runner.Script s, long ms) {
        return String.format(Locale.ROOT, "%s %s_%s: %d statement(s), %s, %d ms", verb, s.version(), s.name(), s.sql().statements().size(),
                s.execution() == Execution.TRANSACTION ? "one transaction" : "statement by statement", ms);
    }

    private void refuseDrift(List<MigrationStatus> status) {
        List<String> bad = status.stream().filter(s -> s.state().equals(MigrationStatus.DRIFTED) || s.state().equals(MigrationStatus.MISSING))
                .map(s -> s.version() + "_" + s.name() + " (" + s.state() + ")").toList();
        if (!bad.isEmpty()) {
            throw new PgboxException(ErrorKind.FINDINGS, "migrate up " + app + " refused: applied migrations differ from their files: "
                    + String.join(", ", bad), "drifted: the up file changed after it was applied; missing: the up file is gone. The files "
                    + "no longer describe this database", "restore those files as they were applied (git); put new changes in a new migration "
                    + "(pgbox migrate new " + app + " \"...\")");
        }
    }

    /** The restore point's name, at most 63 characters (PostgreSQL's limit): the app part is shortened when needed. */
    static String restorePointName(String prefix, String app, String version) {
        String appPart = app;
        int room = 63 - prefix.length() - 1 - version.length();
        if (appPart.length() > room) {
            appPart = appPart.substring(0, Math.max(room, 0));
        }
        return prefix + appPart + "-" + version;
    }

    private String restorePoint(String prefix, String version) {
        String name = restorePointName(prefix, app.value(), version);
        server.admin().value(app.value(), "SELECT pg_create_restore_point($1)", name);
        return name;
    }

    private String appliedBy() {
        return System.getProperty("user.name", "?") + " as " + app.ownerRole();
    }

    private long lockTimeout() {
        return server.settings().millis(Setting.PGBOX_MIGRATE_LOCK_TIMEOUT);
    }

    private long statementTimeout() {
        return server.settings().millis(Setting.PGBOX_MIGRATE_STATEMENT_TIMEOUT);
    }

    /** Session-level: held until the connection closes, across the transactions of the run. */
    private void lock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, LOCK_KEY);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new PgboxException(ErrorKind.TIMEOUT, "another migration is running in database " + app,
                            "a session holds pgbox's migration lock (pg_advisory_lock " + LOCK_KEY + ") in this database",
                            "wait for it to finish and run again; SELECT pid, backend_start FROM pg_locks JOIN pg_stat_activity USING (pid) "
                                    + "WHERE locktype = 'advisory' shows who holds it");
                }
            }
        }
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** One connection as the app's owner role (the app's login role running as NAME_owner). */
    private <T> T withConnection(Work<T> work) {
        Jdbc.Target target = Connections.targetFor(server, app.value()).runningAs(app.ownerRole());
        try (Connection c = Jdbc.connect(target)) {
            return work.run(c);
        } catch (SQLException e) {
            throw new PgboxException(ErrorKind.SQL, "a migration query in database " + app + " failed", Jdbc.sqlCause(e),
                    "check 'pgbox status' and 'pgbox migrate status " + app + "'");
        }
    }

    private static int count(List<MigrationStatus> all, String state) {
        return (int) all.stream().filter(s -> s.state().equals(state)).count();
    }
}
