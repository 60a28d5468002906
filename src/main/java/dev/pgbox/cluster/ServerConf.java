package dev.pgbox.cluster;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.tune.TunedSetting;
import dev.pgbox.tune.Tuner;
import dev.pgbox.tune.TuningPlan;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pgbox-managed part of postgresql.conf: security policy, extensions, logging and the tuning
 * plan. postgresql.conf itself only gains one include line, so initdb's file stays as it was.
 */
public final class ServerConf {
    /** Libraries pgbox itself preloads: pg_stat_statements (query statistics) and pg_cron (scheduled jobs). */
    public static final List<String> OWN_LIBRARIES = List.of("pg_stat_statements", "pg_cron");
    public static final String INCLUDE_LINE = "include_if_exists = '" + Layout.CONF_FILE + "'   # added by pgbox";

    private ServerConf() {
    }

    /** Every parameter pgbox sets, in file order (without the tuning plan). */
    public static Map<String, String> policy(Settings s, Layout layout) {
        Map<String, String> p = new LinkedHashMap<>();
        String listen = listenAddress(s.get(Setting.POSTGRES_HOST));
        if (s.isSet(Setting.POSTGRES_LISTEN)) {
            listen = listen + "," + s.get(Setting.POSTGRES_LISTEN);
        }
        p.put("listen_addresses", quote(listen));
        p.put("port", s.get(Setting.POSTGRES_PORT));
        p.put("unix_socket_directories", quote(layout.runDir().toString()));
        p.put("ssl", "on");
        p.put("ssl_cert_file", quote("server.crt"));
        p.put("ssl_key_file", quote("server.key"));
        p.put("ssl_min_protocol_version", quote("TLSv1.2"));
        p.put("password_encryption", quote(s.get(Setting.POSTGRES_PASSWORD_ENCRYPTION)));
        p.put("shared_preload_libraries", quote(String.join(",",
                preloadLibraries(Settings.list(s.get(Setting.POSTGRES_SHARED_PRELOAD_LIBRARIES))))));
        p.put("wal_level", s.get(Setting.POSTGRES_WAL_LEVEL));
        boolean archive = "on".equals(s.get(Setting.BACKUP_ARCHIVE));
        p.put("archive_mode", archive ? "on" : "off");
        if (archive) {
            // pgBackRest pushes each finished WAL file to the repository (continuous archiving for PITR)
            p.put("archive_command", quote(dev.pgbox.install.Tools.PGBACKREST + " --config=" + layout.pgbackrestConf()
                    + " --stanza=main archive-push %p"));
        }
        p.put("archive_timeout", quote(s.get(Setting.BACKUP_ARCHIVE_TIMEOUT)));
        p.put("cron.database_name", quote(s.get(Setting.POSTGRES_DB)));
        p.put("cron.use_background_workers", "on");
        p.put("cron.max_running_jobs", Integer.toString(Tuner.CRON_WORKERS));
        p.put("pg_stat_statements.max", "10000");
        p.put("track_io_timing", "on");
        p.put("logging_collector", "on");
        p.put("log_directory", quote(layout.logDir().toString()));
        p.put("log_filename", quote("postgresql-%a.log"));
        p.put("log_truncate_on_rotation", "on");
        p.put("log_rotation_age", quote("1d"));
        p.put("log_rotation_size", "0");
        p.put("log_line_prefix", quote("%m [%p] %q%u@%d "));
        p.put("log_min_duration_statement", quote(s.get(Setting.POSTGRES_LOG_MIN_DURATION_STATEMENT)));
        p.put("log_checkpoints", "on");
        p.put("log_lock_waits", "on");
        p.put("log_temp_files", "0");
        p.put("log_autovacuum_min_duration", quote("10s"));
        p.put("idle_in_transaction_session_timeout", quote(s.get(Setting.POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT)));
        p.put("statement_timeout", quote(s.get(Setting.POSTGRES_STATEMENT_TIMEOUT)));
        return p;
    }

    /**
     * shared_preload_libraries: pgbox's own libraries first (its extensions and the status report need
     * them), then the user's extra ones in the order written, each library once. Every name is checked
     * here as well as when the settings are read, because it is written into the server config.
     */
    public static List<String> preloadLibraries(List<String> extra) {
        Set<String> all = new LinkedHashSet<>(OWN_LIBRARIES);
        for (String name : extra) {
            if (!Setting.LIBRARY_NAME.matcher(name).matches()) {
                Setting setting = Setting.POSTGRES_SHARED_PRELOAD_LIBRARIES;
                throw new PgboxException(ErrorKind.CONFIG, "invalid library name '" + name + "' in " + setting.name(),
                        setting.name() + " takes " + setting.form(), "write it like " + setting.name() + "=auto_explain");
            }
            all.add(name);
        }
        return List.copyOf(all);
    }

    public static String render(Settings s, Layout layout, TuningPlan plan) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Managed by pgbox: rewritten on every start and 'pgbox tune --apply'. Do not edit;\n")
                .append("# set POSTGRES_* values in .env.dev or .env.prod instead ('pgbox config --explain' lists them).\n\n")
                .append("# ---- security, extensions, logging\n");
        policy(s, layout).forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        sb.append("\n# ---- tuning: ").append(plan.profile().label()).append(" profile, ")
                .append(plan.machine().cpus()).append(" CPUs, ").append(plan.sharePercent()).append("% of RAM\n");
        for (TunedSetting t : plan.settings()) {
            sb.append(t.guc()).append(" = ").append(quote(t.value())).append("   # ").append(t.reason().replace('\n', ' ')).append('\n');
        }
        return sb.toString();
    }

    static String listenAddress(String host) {
        return host.equals("localhost") ? "127.0.0.1" : host;
    }

    static String quote(String v) {
        return "'" + v.replace("'", "''") + "'";
    }
}
