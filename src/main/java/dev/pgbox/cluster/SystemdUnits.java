package dev.pgbox.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The systemd units of one project, rendered as text (no I/O): the server, run by systemd as the
 * OS user with {@code Type=notify} (PostgreSQL tells systemd when it accepts connections) and restarted
 * after a crash, and the agent. Both are enabled by {@code pgbox start} and disabled by {@code pgbox stop}.
 */
public final class SystemdUnits {
    /** Where pgbox writes its units: the administrator's folder, as systemctl enable expects. */
    public static final Path UNIT_DIR = Path.of("/etc/systemd/system");

    /**
     * Appends one line to the crash log when the postmaster ended in any way but a clean stop. A fixed
     * script: the log's path reaches it through the environment, never through the script's text.
     */
    static final String RECORD_CRASH = "if [ \"$SERVICE_RESULT\" != success ]; then "
            + "echo \"$(date +%s) systemd $SERVICE_RESULT $EXIT_CODE $EXIT_STATUS\" >> \"$PGBOX_CRASH_LOG\"; fi";

    private SystemdUnits() {
    }

    public static String serverUnitName(Layout l) {
        return l.unitBase() + ".service";
    }

    public static String agentUnitName(Layout l) {
        return l.unitBase() + "-agent.service";
    }

    public static String pgbouncerUnitName(Layout l) {
        return l.unitBase() + "-pgbouncer.service";
    }

    /**
     * The server unit. KillSignal=SIGINT is PostgreSQL's fast shutdown; KillMode=mixed leaves the
     * backends to the postmaster; after {@code stopTimeout} systemd kills what is left (crash recovery
     * on the next start keeps every committed transaction). No start timeout: crash recovery after a
     * reboot may take long, and PostgreSQL reports readiness itself.
     */
    public static String renderServer(Layout l, Duration stopTimeout, Duration restartDelay) {
        return header(l) + """
                [Unit]
                Description=pgbox PostgreSQL %1$d for %2$s
                After=network.target
                StartLimitIntervalSec=60
                StartLimitBurst=20
                %10$s
                [Service]
                Type=notify
                User=%4$s
                ExecStart=%5$s -D %3$s
                ExecReload=/bin/kill -HUP $MAINPID
                ExecStopPost=/bin/sh -c %6$s
                Environment=%7$s
                Environment=LC_ALL=C.UTF-8
                KillMode=mixed
                KillSignal=SIGINT
                TimeoutStartSec=infinity
                TimeoutStopSec=%8$dms
                Restart=on-failure
                RestartSec=%9$dms
                OOMScoreAdjust=-900

                [Install]
                WantedBy=multi-user.target
                """.formatted(l.pg().major(), escape(l.projectDir().toString()), arg(l.dataDir().toString()), l.osUser(),
                arg(l.pg().bin("postgres").toString()), arg(RECORD_CRASH), arg("PGBOX_CRASH_LOG=" + l.crashLog()),
                Math.max(1000, stopTimeout.toMillis()), restartDelay.toMillis(),
                // a space-separated list without quoting: name the data dir's mount only when its path has no blanks
                l.dataDir().toString().matches("\\S+") ? "RequiresMountsFor=" + escape(l.dataDir().toString()) + "\n" : "");
    }

    /**
     * The agent unit: a JVM running 'pgbox agent' as the OS user, with the settings snapshot start wrote.
     * A JVM ended by SIGTERM (systemctl stop) exits 143 (128 + 15); SuccessExitStatus counts that as a clean
     * stop, so 'pgbox stop' leaves the unit inactive, not failed (which would mark the machine degraded).
     */
    public static String renderAgent(Layout l, String java, List<String> agentArgs) {
        return renderAgent(l, java, agentArgs, false);
    }

    /**
     * The agent's unit; {@code haMember}: its watchdog starts this member's etcd and Patroni (at boot, after
     * a crash), which must outlive the agent when it is restarted or stopped on its own (KillMode=process:
     * stopping the unit ends the agent, not the database it brought back; 'pgbox stop' stops those itself).
     */
    public static String renderAgent(Layout l, String java, List<String> agentArgs, boolean haMember) {
        StringBuilder exec = new StringBuilder(arg(java));
        for (String a : agentArgs) {
            exec.append(' ').append(arg(a));
        }
        return header(l) + """
                [Unit]
                Description=pgbox agent (backups, restore drills) for %1$s
                After=network.target %2$s

                [Service]
                Type=simple
                User=%3$s
                ExecStart=%4$s
                SuccessExitStatus=143
                Restart=on-failure
                RestartSec=5s
                %5$s
                [Install]
                WantedBy=multi-user.target
                """.formatted(escape(l.projectDir().toString()), serverUnitName(l), l.osUser(), exec, haMember ? "KillMode=process\n" : "");
    }

    /**
     * PgBouncer's unit: run in the foreground as the OS user, Type=notify (Debian builds it with systemd
     * support: it says when it listens), restarted whatever ended it (a SIGKILL included), with the file
     * descriptors its max_client_conn needs. SIGHUP reloads its configuration without dropping clients; SIGTERM
     * (systemctl stop) is its immediate shutdown, which PgBouncer before 1.20 ends with exit status 1: counted as a clean
     * stop, so a stopped unit reads inactive, not failed (Restart=always restarts it whatever its status). Output goes to its log file in pgbox's log folder.
     */
    public static String renderPgBouncer(Layout l, String pgbouncer, Path ini, int fileLimit, Path log) {
        return header(l) + """
                [Unit]
                Description=pgbox PgBouncer for %1$s
                After=network.target %2$s
                StartLimitIntervalSec=60
                StartLimitBurst=30

                [Service]
                Type=notify
                User=%3$s
                ExecStart=%4$s %5$s
                ExecReload=/bin/kill -HUP $MAINPID
                SuccessExitStatus=1
                LimitNOFILE=%6$d
                Restart=always
                RestartSec=500ms
                %7$s
                [Install]
                WantedBy=multi-user.target
                """.formatted(escape(l.projectDir().toString()), serverUnitName(l), l.osUser(), arg(pgbouncer), arg(ini.toString()),
                fileLimit, output(log.toString()));
    }

    /** Output appended to the log file; StandardOutput=append: takes no quoting, so a path with blanks goes to the journal. */
    private static String output(String log) {
        if (!log.matches("\\S+")) {
            return "";
        }
        return "StandardOutput=append:" + escape(log) + "\nStandardError=append:" + escape(log) + "\n";
    }

    private static String header(Layout l) {
        return "# Written by pgbox for the project " + escape(l.projectDir().toString())
                + ". pgbox owns this file: 'pgbox start' rewrites it, 'pgbox stop' disables it.\n";
    }

    /** One argument in systemd's command-line syntax: double-quoted, with \, ", % and $ escaped (the shell expands $, not systemd). */
    static String arg(String s) {
        return "\"" + escape(s).replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "$$") + "\"";
    }

    /** '%' starts a specifier in unit files; a line break would end the setting. */
    private static String escape(String s) {
        if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a line break in a path: " + s);
        }
        return s.replace("%", "%%");
    }
}
