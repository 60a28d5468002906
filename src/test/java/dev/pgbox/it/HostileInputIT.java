package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.sql.AdminSql;
import dev.pgbox.cluster.Layout;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessRunner;
import dev.pgbox.install.PgInstallation;
import dev.pgbox.sql.SqlText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile values for every command-line value that reaches SQL: psql meta-commands (a shell, a file
 * written, a file read), quotes, semicolons, newlines, carriage returns, dollar quotes, comment
 * closers, over-long and non-ASCII names. Each must end in one clear usage error (exit 2, what /
 * cause / fix), create no file, and run no statement: roles, databases, role settings, passwords,
 * tables, policies and pg_stat_statements' call counts are compared before and after. One server for
 * the class. (NUL cannot travel in argv at all; ScriptGuardTest covers it.)
 */
@Timeout(1800)
class HostileInputIT {
    /** Every marker this run could create starts with this; none may exist after any case. */
    private static final String MARKER = "pwned-" + UUID.randomUUID().toString().substring(0, 8);
    private static final Path TMP = Path.of("/tmp");
    private static final String APP = "shop";
    private static final String TABLE = "documents";

    static PgboxProject project;
    static Layout layout;

    @BeforeAll
    static void start() throws IOException {
        project = PgboxProject.create("hostile", "PGBOX_AGENT=off");
        project.ok("start");
        project.ok("app", "create", APP);
        AdminSql sql = project.admin();
        // made by the owner role, as a migration would, so the default privileges give the login role access
        sql.run(APP, "SET ROLE " + APP + "_owner;\nCREATE TABLE public." + TABLE + " (id int, tenant_id int, body text);\n");
        // the honest path through the same code: pgbox's own \gexec scripts pass the guard
        project.ok("rls", "enable", APP, TABLE, "--tenant-column", "tenant_id");
        layout = Layout.resolve(project.settings(), PgInstallation.of(PgInstallation.newestInstalled().orElseThrow()));
    }

    @AfterAll
    static void stop() throws IOException {
        if (project != null) {
            project.close();
        }
        for (Path p : markers()) {
            Files.deleteIfExists(p);
        }
    }

    /** The values, each with a marker file name that only a shell or a psql file command would create. */
    static List<String> hostileValues() {
        String m = "/tmp/" + MARKER;
        return List.of(
                "\\! touch " + m + "-shell",
                "x\n\\! touch " + m + "-newline",
                "x'; \\! touch " + m + "-quote; --",
                "x\"; \\! touch " + m + "-dquote; --",
                "x\r\\! touch " + m + "-cr",
                "\\o " + m + "-o",
                "\\copy (SELECT 1) TO '" + m + "-copy'",
                "$$ \\! touch " + m + "-dollar $$",
                "*/ \\! touch " + m + "-comment /*",
                "x; CREATE ROLE " + MARKER.replace('-', '_') + "; --",
                "a".repeat(64),
                "é".repeat(32),
                "tenänt\u202e",
                "");
    }

    /** Every option that reaches SQL, as the argv that puts the hostile value there (everything else valid). */
    static List<Function<String, List<String>>> options() {
        String oldDump = "/tmp/" + MARKER + "-no-such.dump";
        return List.of(
                v -> List.of("app", "create", v),
                v -> List.of("app", "create", "other", "--statement-timeout", v),
                v -> List.of("app", "create", "other", "--idle-timeout", v),
                v -> List.of("app", "create", "other", "--connection-limit", v),
                v -> List.of("app", "drop", v, "--yes", "--force"),
                v -> List.of("app", "url", v),
                v -> List.of("app", "rotate-password", v),
                v -> List.of("rls", "enable", v, TABLE),
                v -> List.of("rls", "enable", APP, v),
                v -> List.of("rls", "enable", APP, TABLE, "--tenant-column", v),
                v -> List.of("rls", "test", v),
                v -> List.of("rls", "test", APP, "--tenant-column", v),
                v -> List.of("rls", "audit", APP, "--tenant-column", v),
                v -> List.of("db", "restore-point", v),
                v -> List.of("db", "restore", "--restore-point", v, "--yes"),
                v -> List.of("db", "restore", "--file", oldDump, "--into", v),
                v -> List.of("db", "restore", "--file", oldDump, "--app", v),
                v -> List.of("db", "restore", "--point-in-time", "2020-01-01 00:00:00 UTC", "--app", v),
                v -> List.of("db", "backup", v));
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Function<String, List<String>> option : options()) {
            boolean first = true;
            for (String v : hostileValues()) {
                List<String> argv = option.apply(v);
                // the first value of each option through the real jar, the rest through the same code in this JVM
                // (a JVM start per case made this class take three minutes)
                out.add(Arguments.of(String.join(" ", argv.stream().map(a -> a.equals(v) ? "<" + SqlText.shown(v) + ">" : a).toList())
                        + (first ? " [jar]" : ""), argv, first));
                first = false;
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedClearlyWithNothingRunAndNoFileWritten(String label, List<String> argv, boolean viaJar) {
        String before = catalogs();
        PgboxProject.Run r = viaJar ? project.pgbox(argv.toArray(String[]::new)) : project.pgboxInProcess(argv.toArray(String[]::new));
        assertThat(r.exitCode()).as(label + "\n" + r.all()).isEqualTo(ErrorKind.USAGE.exitCode());
        assertThat(r.stderr()).as(label).startsWith("error: invalid ").contains("\n  cause: ", "\n  fix:   ")
                .doesNotContain("Exception", "\tat ");
        // the value is shown escaped, so the message stays one line per part
        assertThat(r.stderr().lines().filter(l -> !l.startsWith("  ")).count()).as(label + "\n" + r.stderr()).isEqualTo(1);
        assertThat(markers()).as(label).isEmpty();
        assertThat(catalogs()).as(label).isEqualTo(before);
    }

    @Test
    void theMarkersWouldShowAShellThatPsqlRan() throws IOException {
        // control: psql as the server's OS user, given \! directly, does create a marker this test looks for
        Path control = TMP.resolve(MARKER + "-control");
        ProcessRunner.run(Command.of(layout.pg().bin("psql"), "-X", "-q", "-h", layout.runDir().toString(), "-p",
                Integer.toString(project.port()), "-U", dev.pgbox.sql.AdminSql.SUPERUSER, "-d", "postgres", "-f", "-")
                .runAs(layout.osUser()).stdin("\\! touch " + control + "\n").timeout(Duration.ofMinutes(1)).build());
        assertThat(markers()).contains(control);
        Files.delete(control);
    }

    @Test
    void aCraftedPlainDumpCannotRunAShell() throws IOException {
        String before = catalogs();
        Path dir = Files.createTempDirectory(TMP, "pgbox-evil-dump-");
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Path evil = dir.resolve("evil.sql");
            // shaped like pg_dump's guarded output, but unrestricted half way to run a shell
            Files.writeString(evil, "--\n-- PostgreSQL database dump\n--\n\n\\restrict abcdefghijklmnopqrstuvwxyz012345\n"
                    + "SELECT 1; \\unrestrict abcdefghijklmnopqrstuvwxyz012345\n\\! touch " + TMP.resolve(MARKER + "-plain") + "\n");
            Files.setPosixFilePermissions(evil, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            PgboxProject.Run r = project.pgbox("db", "restore", "--file", evil.toString(), "--into", "evilcopy");
            assertThat(r.exitCode()).as(r.all()).isEqualTo(3);
            assertThat(r.stderr()).contains("refusing to restore the plain SQL dump evil.sql", "cause:", "fix:");
            assertThat(markers()).isEmpty();
            assertThat(catalogs()).isEqualTo(before);
        } finally {
            try (var s = Files.list(dir)) {
                for (Path f : s.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    void adminSqlRefusesAMetaCommandEvenFromPgboxItself() {
        AdminSql sql = project.admin();
        assertThatThrownBy(() -> sql.run("postgres", "SELECT 1;\n\\! touch /tmp/" + MARKER + "-admin\n"))
                .isInstanceOf(PgboxException.class)
                .satisfies(e -> assertThat(((PgboxException) e).kind()).isEqualTo(ErrorKind.FAILURE))
                .hasMessageContaining("refused");
        assertThat(markers()).isEmpty();
        // the same text as a quoted literal is only data, returned as it went in
        String v = "x'; \\! touch /tmp/" + MARKER + "-literal; --";
        assertThat(sql.value("postgres", "SELECT " + SqlText.literal(v))).isEqualTo(v);
        assertThat(markers()).isEmpty();
    }

    @Test
    void aDatabaseThatTurnsOffStandardStringsCannotEndALiteralEarly() {
        // the app's owner may set this on its own database; psql would then read \' as an escaped quote and
        // run the rest of a literal as commands, unless pgbox's admin session forces the standard form
        AdminSql sql = project.admin();
        sql.run("postgres", "ALTER DATABASE " + APP + " SET standard_conforming_strings = off;\n");
        try {
            String v = "a\\' ; \\! touch /tmp/" + MARKER + "-stdstrings ; --";
            assertThat(sql.value(APP, "SELECT " + SqlText.literal(v))).isEqualTo(v);
            assertThat(sql.value(APP, "SHOW standard_conforming_strings")).isEqualTo("on");
            assertThat(markers()).isEmpty();
        } finally {
            sql.run("postgres", "ALTER DATABASE " + APP + " RESET standard_conforming_strings;\n");
        }
    }

    @Test
    void validValuesStillWork() {
        project.ok("app", "create", "other", "--statement-timeout", "45s", "--idle-timeout", "2min", "--connection-limit", "7");
        try {
            assertThat(project.admin().value("postgres", "SELECT rolconnlimit FROM pg_roles WHERE rolname = 'other'")).isEqualTo("7");
            assertThat(project.admin().value("postgres", "SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting "
                    + "WHERE setrole = 'other'::regrole")).contains("statement_timeout=45s", "idle_in_transaction_session_timeout=2min");
            assertThat(project.admin().value(APP, "SELECT string_agg(indexname, ',') FROM pg_indexes WHERE tablename = '" + TABLE + "'"))
                    .isEqualTo(TABLE + "_tenant_id_idx");
            assertThat(project.admin().value(APP, "SELECT polname FROM pg_policy")).isEqualTo("pgbox_tenant_isolation");
            assertThat(project.ok("rls", "test", APP, "--tenant-column", "tenant_id").stdout()).contains("pass");
            assertThat(project.ok("rls", "audit", APP, "--tenant-column", "tenant_id").stdout()).doesNotContain("rls-missing");
        } finally {
            project.ok("app", "drop", "other", "--yes", "--force");
        }
    }

    /** Marker files of this run in /tmp. */
    private static List<Path> markers() {
        try (Stream<Path> s = Files.list(TMP)) {
            return s.filter(p -> p.getFileName().toString().startsWith(MARKER)).toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * What a statement slipped through would change: roles with their limits and password hashes, role
     * settings, databases, the app's tables, indexes and policies, and how many statements ran (the
     * snapshot's own queries and pg_cron's are left out).
     */
    private static String catalogs() {
        try {
            return snapshot(project.admin());
        } catch (PgboxException e) {
            throw new AssertionError(e.render(), e);
        }
    }

    private static String snapshot(AdminSql sql) {
        String cluster = sql.value("postgres", """
                SELECT /* hostile-snapshot */ concat_ws(' | ',
                  (SELECT string_agg(rolname || ':' || rolconnlimit || ':' || coalesce(md5(rolpassword), '-'), ',' ORDER BY rolname) FROM pg_authid),
                  (SELECT string_agg(setrole::text || '/' || setdatabase::text || '=' || array_to_string(setconfig, ';'), ','
                          ORDER BY setrole, setdatabase) FROM pg_db_role_setting),
                  (SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database))
                """);
        String app = sql.value(APP, """
                SELECT /* hostile-snapshot */ concat_ws(' | ',
                  (SELECT string_agg(c.relname || ':' || c.relkind::text || ':' || c.relrowsecurity::text, ',' ORDER BY c.relname)
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'),
                  (SELECT string_agg(polname || '@' || polrelid::regclass::text, ',' ORDER BY polname) FROM pg_policy),
                  -- the view covers every database; it is installed in the app databases, not in postgres
                  (SELECT sum(calls)::text FROM pg_stat_statements WHERE query NOT LIKE '%hostile-snapshot%' AND query NOT LIKE '%cron.%'))
                """);
        return cluster + "\n" + app;
    }
}
