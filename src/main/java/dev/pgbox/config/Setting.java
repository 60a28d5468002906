package dev.pgbox.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one catalogue of pgbox settings. Names follow nSelf (POSTGRES_*) where nSelf has one, and
 * pgbox's own namespace (PGBOX_*) for project paths. Parsing, validation, {@code pgbox config
 * --explain} and the README table are all driven from here. An empty default means "pgbox decides"
 * (auto-tuned or derived); the description says how.
 */
public enum Setting {
    // ---- project and environment
    PGBOX_ENV(Type.CHOICE, "dev", "", Apply.PGBOX, null,
            "Environment file layered over .env.dev: dev or prod (same as --env).", "dev", "prod"),
    PGBOX_STATE_DIR(Type.PATH, "", "", Apply.START, null,
            "Folder for data, logs and sockets. Default: .pgbox in the project, or /var/lib/pgbox/<project>-<hash> "
                    + "when the postgres OS user cannot reach the project folder (e.g. under /root)."),
    PGBOX_DATA_DIR(Type.PATH, "", "", Apply.INIT, null, "PostgreSQL data directory. Default: <state dir>/data."),
    PGBOX_LOG_DIR(Type.PATH, "", "", Apply.RESTART, null,
            "Server logs. Default: <state dir>/log. An existing folder is left as it is: pgbox writes into its own subfolder pgbox-<project>-<hash> there."),
    PGBOX_RUN_DIR(Type.PATH, "", "", Apply.RESTART, null,
            "Unix socket directory. Default: <state dir>/run. An existing folder gets pgbox's own subfolder pgbox-<project>-<hash>."),
    PGBOX_OS_USER(Type.STRING, "", "", Apply.START, null,
            "OS user that runs PostgreSQL. Default: postgres when pgbox runs as root, else the current user."),
    PGBOX_PG_VERSION(Type.INT, "", "", Apply.INIT, null,
            "PostgreSQL major version. Default: the newest installed, else the newest the OS offers."),
    PGBOX_AGENT(Type.CHOICE, "on", "", Apply.START, null,
            "Run the pgbox agent (schedules backups and drills) beside the server: on or off.", "on", "off"),
    PGBOX_SUPERVISOR(Type.CHOICE, "auto", "", Apply.START, null,
            "What keeps the server up: systemd (units that start at boot and restart after a crash), agent (the agent "
                    + "restarts a crashed server; nothing at boot), or auto (systemd when it is PID 1 and pgbox runs as root).",
            "auto", "systemd", "agent"),
    PGBOX_START_TIMEOUT(Type.DURATION, "60s", "", Apply.PGBOX, null,
            "How long start waits until a real query succeeds."),
    PGBOX_STOP_TIMEOUT(Type.DURATION, "30s", "", Apply.PGBOX, null,
            "How long a fast stop may take before pgbox stops immediately."),
    PGBOX_LOCK_TIMEOUT(Type.DURATION, "60s", "", Apply.PGBOX, null,
            "How long a command or agent job that changes the project waits for the one holding the project lock, then refuses (exit 10)."),

    PGBOX_APP_STATEMENT_TIMEOUT(Type.DURATION, "30s", "", Apply.START, null,
            "Default statement_timeout of a new app's login role ('pgbox app create --statement-timeout' overrides)."),
    PGBOX_APP_IDLE_TIMEOUT(Type.DURATION, "60s", "", Apply.START, null,
            "Default idle_in_transaction_session_timeout of a new app's login role."),
    PGBOX_APP_CONNECTION_LIMIT(Type.INT, "20", "connections", Apply.START, null,
            "Connection limit of every app's login role when set; unset, each app gets its share of the RAM plan's room (pgbox plan)."),

    // ---- connection and roles (nSelf names)
    POSTGRES_HOST(Type.HOST, "127.0.0.1", "", Apply.RESTART, "listen_addresses",
            "Address the server listens on and clients connect to. Loopback only (127.0.0.1, ::1, localhost)."),
    POSTGRES_PORT(Type.PORT, "5432", "", Apply.RESTART, "port", "TCP port."),
    POSTGRES_LISTEN(Type.ADDRESS_LIST, "", "", Apply.RESTART, null,
            "Extra addresses to listen on for remote clients, comma-separated (e.g. 10.0.0.5). Empty: loopback only. "
                    + "'*' (every interface) only when written out."),
    POSTGRES_ALLOWED_CIDRS(Type.CIDR_LIST, "", "", Apply.RELOAD, null,
            "Networks allowed to log in remotely, comma-separated (e.g. 10.0.0.0/24): one hostssl scram-sha-256 line each. "
                    + "0.0.0.0/0 only when written out."),
    POSTGRES_DB(Type.IDENT, "app", "", Apply.START, null,
            "The application database, owned by POSTGRES_USER, with every pgbox extension."),
    POSTGRES_USER(Type.IDENT, "app", "", Apply.START, null,
            "The application role: LOGIN, not superuser, owner of POSTGRES_DB."),
    POSTGRES_PASSWORD(Type.SECRET, "", "", Apply.START, null,
            "Password of POSTGRES_USER. Generated into .env.secrets (mode 0600) on first start; "
                    + "allowed only in .env.secrets or the environment."),
    POSTGRES_PASSWORD_ENCRYPTION(Type.CHOICE, "scram-sha-256", "", Apply.RELOAD, "password_encryption",
            "Password hashing. Only scram-sha-256 is accepted.", "scram-sha-256"),
    POSTGRES_WAL_LEVEL(Type.CHOICE, "replica", "", Apply.RESTART, "wal_level",
            "WAL detail: replica (archiving, replicas) or logical (adds logical decoding).", "replica", "logical"),
    POSTGRES_SHARED_PRELOAD_LIBRARIES(Type.LIBRARY_LIST, "", "", Apply.RESTART, "shared_preload_libraries",
            "Extra libraries to load at server start, comma-separated (e.g. auto_explain). pgbox's own "
                    + "(pg_stat_statements, pg_cron) are always loaded first; these are added after them, each once."),
    // replication (pgbox db replica): one block, kept together
    PGBOX_REPLICA_ADDRESSES(Type.ADDRESS_LIST, "", "", Apply.RELOAD, null,
            "Addresses of streaming replicas allowed to connect as the replication role pgbox_replication, comma-separated: "
                    + "one hostssl scram-sha-256 line each, for that role only. 'pgbox db replica --allow ADDRESS' adds one."),
    PGBOX_REPLICATION_PASSWORD(Type.SECRET, "", "", Apply.START, null,
            "Password of the replication role pgbox_replication: generated into .env.secrets by 'pgbox db replica --allow' "
                    + "on the primary; the replica's .env.secrets needs the same line (every HA member's too: Patroni's members "
                    + "stream WAL as the same role)."),

    // ---- sizing inputs
    POSTGRES_TUNE_PROFILE(Type.CHOICE, "web", "", Apply.RELOAD, null,
            "Workload the tuning plan is made for: web, oltp, mixed or analytics.", "web", "oltp", "mixed", "analytics"),
    POSTGRES_RAM_SHARE(Type.PERCENT, "50", "%", Apply.RELOAD, null,
            "Share of the machine's RAM PostgreSQL may plan for. Lower it when apps share the box; 100 for a dedicated server."),
    POSTGRES_MEMORY(Type.SIZE, "", "", Apply.RELOAD, null, "RAM to plan for. Default: detected (cgroup limit or MemTotal)."),
    POSTGRES_CPUS(Type.INT, "", "", Apply.RELOAD, null, "CPU count to plan for. Default: detected."),
    POSTGRES_DISK_TYPE(Type.CHOICE, "auto", "", Apply.RELOAD, null,
            "Storage the data dir is on: ssd, hdd, or auto (read from /sys/block).", "auto", "ssd", "hdd"),

    // ---- tuned server settings (empty default = from the tuning plan; a value here always wins)
    POSTGRES_SHARED_BUFFERS(Type.SIZE, "", "", Apply.RESTART, "shared_buffers", "Shared page cache. Auto: 25% of the planned RAM."),
    POSTGRES_EFFECTIVE_CACHE_SIZE(Type.SIZE, "", "", Apply.RELOAD, "effective_cache_size",
            "Planner's estimate of cached data. Auto: 75% of the planned RAM."),
    POSTGRES_WORK_MEM(Type.SIZE, "", "", Apply.RELOAD, "work_mem",
            "Memory per sort or hash. Auto: RAM left after shared_buffers, divided so every connection can sort at once."),
    POSTGRES_MAINTENANCE_WORK_MEM(Type.SIZE, "", "", Apply.RELOAD, "maintenance_work_mem",
            "Memory for VACUUM and CREATE INDEX (HNSW builds). Auto: 1/16 of the planned RAM, up to 2GB."),
    POSTGRES_MAX_CONNECTIONS(Type.INT, "", "", Apply.RESTART, "max_connections",
            "Connection limit. Auto: by profile (web 100, oltp 200, mixed 100, analytics 40)."),
    POSTGRES_WAL_BUFFERS(Type.SIZE, "", "", Apply.RESTART, "wal_buffers", "WAL buffer. Auto: 1/32 of shared_buffers, up to 16MB."),
    POSTGRES_MAX_WAL_SIZE(Type.SIZE, "", "", Apply.RELOAD, "max_wal_size",
            "WAL between checkpoints. Auto: by profile, at most 10% of the disk."),
    POSTGRES_MIN_WAL_SIZE(Type.SIZE, "", "", Apply.RELOAD, "min_wal_size", "WAL kept for reuse. Auto: 1/4 of max_wal_size."),
    POSTGRES_CHECKPOINT_COMPLETION_TARGET(Type.DECIMAL, "", "", Apply.RELOAD, "checkpoint_completion_target",
            "Spread of checkpoint writes. Auto: 0.9."),
    POSTGRES_RANDOM_PAGE_COST(Type.DECIMAL, "", "", Apply.RELOAD, "random_page_cost", "Planner cost of a random read. Auto: SSD 1.1, HDD 4."),
    POSTGRES_EFFECTIVE_IO_CONCURRENCY(Type.INT, "", "", Apply.RELOAD, "effective_io_concurrency",
            "Concurrent reads the disk handles. Auto: SSD 200, HDD 2."),
    POSTGRES_AUTOVACUUM_MAX_WORKERS(Type.INT, "", "", Apply.RESTART, "autovacuum_max_workers",
            "Autovacuum workers. Auto: half the CPUs, 3 to 8."),
    POSTGRES_AUTOVACUUM_NAPTIME(Type.DURATION, "", "", Apply.RELOAD, "autovacuum_naptime",
            "Pause between autovacuum rounds. Auto: 30s for web/oltp, 1min otherwise."),
    POSTGRES_AUTOVACUUM_VACUUM_COST_LIMIT(Type.INT, "", "", Apply.RELOAD, "autovacuum_vacuum_cost_limit",
            "Autovacuum I/O budget. Auto: SSD 1000, HDD 200."),
    POSTGRES_MAX_WORKER_PROCESSES(Type.INT, "", "", Apply.RESTART, "max_worker_processes",
            "Background workers. Auto: max(8, CPUs) plus 4 for pg_cron."),
    POSTGRES_MAX_PARALLEL_WORKERS(Type.INT, "", "", Apply.RELOAD, "max_parallel_workers", "Parallel query workers. Auto: CPUs."),
    POSTGRES_MAX_PARALLEL_WORKERS_PER_GATHER(Type.INT, "", "", Apply.RELOAD, "max_parallel_workers_per_gather",
            "Workers per query. Auto: 2 like stock PostgreSQL (1 on 1 CPU); analytics half the CPUs if that is more."),
    POSTGRES_MAX_PARALLEL_MAINTENANCE_WORKERS(Type.INT, "", "", Apply.RELOAD, "max_parallel_maintenance_workers",
            "Workers per index build. Auto: half the CPUs, at least 2 like stock (1 on 1 CPU), at most 4."),
    POSTGRES_PARALLEL_TUPLE_COST(Type.DECIMAL, "", "", Apply.RELOAD, "parallel_tuple_cost",
            "Planner cost of a row passed from a parallel worker. Auto: 0.05 with 2+ CPUs (stock 0.1), so a large sort is split among the workers."),
    POSTGRES_WAL_COMPRESSION(Type.CHOICE, "", "", Apply.RELOAD, "wal_compression",
            "Compression of full-page images in the WAL: lz4, zstd, pglz or off. Auto: lz4 (stock off): about a fifth of the WAL "
                    + "to write, archive and stream after each checkpoint, for little CPU.", "lz4", "zstd", "pglz", "on", "off"),

    // ---- backups (pgBackRest for physical backups and WAL archiving, pg_dump for logical ones)
    BACKUP_ARCHIVE(Type.CHOICE, "on", "", Apply.RESTART, null,
            "Continuous WAL archiving through pgBackRest, with a full backup right after the first start: on or off.", "on", "off"),
    BACKUP_REPO(Type.REPO, "", "", Apply.START, null,
            "pgBackRest repository: an absolute folder, or s3://bucket/prefix (with BACKUP_S3_*). Default: <state dir>/backup/repo. "
                    + "An existing folder is left as it is: the repository goes into its subfolder pgbox-<project>-<hash>."),
    BACKUP_S3_ENDPOINT(Type.STRING, "", "", Apply.START, null, "S3 endpoint host[:port] for an s3:// repository, e.g. s3.eu-west-1.amazonaws.com."),
    BACKUP_S3_REGION(Type.STRING, "us-east-1", "", Apply.START, null, "S3 region."),
    BACKUP_S3_KEY(Type.STRING, "", "", Apply.START, null, "S3 access key id."),
    BACKUP_S3_KEY_SECRET(Type.SECRET, "", "", Apply.START, null, "S3 secret access key (only in .env.secrets or the environment)."),
    BACKUP_S3_URI_STYLE(Type.CHOICE, "host", "", Apply.START, null, "S3 addressing: host (bucket.endpoint) or path (endpoint/bucket).",
            "host", "path"),
    BACKUP_S3_VERIFY_TLS(Type.CHOICE, "on", "", Apply.START, null,
            "Verify the S3 endpoint's TLS certificate: on, or off for a test server with a self-signed one.", "on", "off"),
    BACKUP_DIR(Type.PATH, "", "", Apply.PGBOX, null,
            "Where logical dumps go. Default: <state dir>/backup/dumps. An existing folder gets pgbox's own subfolder pgbox-<project>-<hash>."),
    BACKUP_RETENTION_FULL(Type.INT, "2", "backups", Apply.START, null, "Full physical backups to keep (older ones and their WAL expire)."),
    BACKUP_RETENTION_DIFF(Type.INT, "6", "backups", Apply.START, null, "Differential physical backups to keep."),
    BACKUP_COMPRESS(Type.CHOICE, "zst", "", Apply.START, null, "Compression of backups and archived WAL: zst, lz4, gz or none.",
            "zst", "lz4", "gz", "none"),
    BACKUP_PROCESS_MAX(Type.INT, "", "processes", Apply.START, null,
            "Parallel pgBackRest processes for backup and restore. Default: one per CPU (scheduled backups run at quiet hours)."),
    BACKUP_ENCRYPT(Type.CHOICE, "off", "", Apply.INIT, null,
            "Encrypt the pgBackRest repository (aes-256-cbc; key generated into .env.secrets as BACKUP_CIPHER_PASS): on or off. "
                    + "Set before the first start.", "off", "on"),
    BACKUP_CIPHER_PASS(Type.SECRET, "", "", Apply.INIT, null, "Repository encryption key; generated when BACKUP_ENCRYPT=on."),
    BACKUP_SCHEDULE(Type.CRON, "0 3 * * *", "", Apply.START, null,
            "When the agent dumps every app (cron: minute hour day month weekday; empty: never)."),
    BACKUP_DUMP_RETENTION(Type.INT, "7", "dump sets", Apply.START, null, "Dump sets to keep; older ones are deleted after each scheduled dump."),
    BACKUP_PHYSICAL_SCHEDULE(Type.CRON, "30 2 * * *", "", Apply.START, null,
            "When the agent takes a physical backup: full when the last full is older than BACKUP_FULL_EVERY, else diff."),
    BACKUP_FULL_EVERY(Type.DURATION, "7d", "", Apply.START, null, "Age at which the scheduled physical backup is a full one."),
    VERIFY_SCHEDULE(Type.CRON, "0 5 * * 0", "", Apply.START, null, "When the agent runs a restore drill (pgbox db verify)."),
    BACKUP_ARCHIVE_TIMEOUT(Type.DURATION, "5min", "", Apply.RELOAD, "archive_timeout",
            "Switch to a new WAL file at least this often, so a quiet server still archives: the most a crash can lose."),

    // ---- fixed policy with a knob
    POSTGRES_LOG_MIN_DURATION_STATEMENT(Type.DURATION, "200ms", "", Apply.RELOAD, "log_min_duration_statement",
            "Log statements slower than this; -1 turns it off."),
    POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT(Type.DURATION, "60s", "", Apply.RELOAD, "idle_in_transaction_session_timeout",
            "End sessions idle inside a transaction for this long (they hold locks and block vacuum); 0 turns it off."),
    POSTGRES_STATEMENT_TIMEOUT(Type.DURATION, "0", "", Apply.RELOAD, "statement_timeout",
            "Server-wide statement limit; 0 = none (per-app limits come with pgbox app)."),

    // ---- doctor: thresholds of its checks (pgbox doctor; the agent's alerts fire on the same findings)
    PGBOX_DOCTOR_CONNECTIONS_WARN(Type.PERCENT, "80", "%", Apply.PGBOX, null,
            "Doctor warns when client connections reach this share of max_connections."),
    PGBOX_DOCTOR_CONNECTIONS_CRITICAL(Type.PERCENT, "90", "%", Apply.PGBOX, null,
            "Doctor reports critical when client connections reach this share of max_connections."),
    PGBOX_DOCTOR_INTERVAL(Type.DURATION, "1min", "", Apply.START, null,
            "How often the agent runs the doctor's checks for its alerts and pgbox_doctor_findings metric; 0 turns that off."),
    PGBOX_DOCTOR_IDLE_TRANSACTION_WARN(Type.DURATION, "30s", "", Apply.PGBOX, null,
            "Doctor warns about a session idle in a transaction this long (it holds locks and stops vacuum); below "
                    + "PGBOX_APP_IDLE_TIMEOUT, so an app's session shows before the server ends it."),
    PGBOX_DOCTOR_IDLE_TRANSACTION_CRITICAL(Type.DURATION, "5min", "", Apply.PGBOX, null,
            "Doctor reports critical for a session idle in a transaction this long."),
    PGBOX_DOCTOR_LONG_TRANSACTION_WARN(Type.DURATION, "5min", "", Apply.PGBOX, null,
            "Doctor warns about a transaction open this long (any state)."),
    PGBOX_DOCTOR_LONG_TRANSACTION_CRITICAL(Type.DURATION, "1h", "", Apply.PGBOX, null,
            "Doctor reports critical for a transaction open this long."),
    PGBOX_DOCTOR_BLOCKED_WARN(Type.DURATION, "10s", "", Apply.PGBOX, null,
            "Doctor warns about a query waiting this long for a lock another session holds."),
    PGBOX_DOCTOR_BLOCKED_CRITICAL(Type.DURATION, "5min", "", Apply.PGBOX, null,
            "Doctor reports critical for a query waiting this long for a lock."),
    PGBOX_DOCTOR_DEAD_TUPLES_MIN(Type.INT, "1000", "rows", Apply.PGBOX, null,
            "Doctor judges the dead-tuple share only of tables with at least this many dead rows."),
    PGBOX_DOCTOR_DEAD_TUPLES_WARN(Type.PERCENT, "20", "%", Apply.PGBOX, null,
            "Doctor warns when dead rows reach this share of a table's rows."),
    PGBOX_DOCTOR_DEAD_TUPLES_CRITICAL(Type.PERCENT, "50", "%", Apply.PGBOX, null,
            "Doctor reports critical when dead rows reach this share of a table's rows."),
    PGBOX_DOCTOR_XID_AGE_WARN(Type.INT, "200", "million", Apply.PGBOX, null,
            "Doctor warns when a database's or table's oldest unfrozen transaction ID is this many million transactions old "
                    + "(wraparound stops writes at 2^31, about 2147 million)."),
    PGBOX_DOCTOR_XID_AGE_CRITICAL(Type.INT, "1000", "million", Apply.PGBOX, null,
            "Doctor reports critical at this transaction ID age, in million transactions."),
    PGBOX_DOCTOR_CACHE_HIT_WARN(Type.PERCENT, "99", "%", Apply.PGBOX, null,
            "Doctor warns when a database's cache hit ratio falls below this."),
    PGBOX_DOCTOR_CACHE_HIT_CRITICAL(Type.PERCENT, "95", "%", Apply.PGBOX, null,
            "Doctor reports critical when a database's cache hit ratio falls below this."),
    PGBOX_DOCTOR_CACHE_MIN_READS(Type.INT, "100000", "blocks", Apply.PGBOX, null,
            "Doctor judges the cache hit ratio only after this many block reads (hits + disk reads) since the statistics began."),
    PGBOX_DOCTOR_REPLICATION_LAG_WARN(Type.DURATION, "1min", "", Apply.PGBOX, null,
            "Doctor warns when a standby replays this far behind the primary."),
    PGBOX_DOCTOR_REPLICATION_LAG_CRITICAL(Type.DURATION, "10min", "", Apply.PGBOX, null,
            "Doctor reports critical when a standby replays this far behind."),
    PGBOX_DOCTOR_REPLICATION_LAG_BYTES_WARN(Type.SIZE, "256MB", "", Apply.PGBOX, null,
            "Doctor warns when a standby has this much WAL left to replay."),
    PGBOX_DOCTOR_REPLICATION_LAG_BYTES_CRITICAL(Type.SIZE, "4GB", "", Apply.PGBOX, null,
            "Doctor reports critical when a standby has this much WAL left to replay."),
    PGBOX_DOCTOR_ARCHIVE_STALE(Type.DURATION, "1h", "", Apply.PGBOX, null,
            "Doctor warns when WAL files wait to be archived and nothing was archived for this long."),
    PGBOX_DOCTOR_CHECKPOINTS_REQ_WARN(Type.PERCENT, "10", "%", Apply.PGBOX, null,
            "Doctor warns when this share of checkpoints was forced by WAL volume rather than the timer (max_wal_size too small)."),
    PGBOX_DOCTOR_CHECKPOINTS_MIN(Type.INT, "20", "checkpoints", Apply.PGBOX, null,
            "Doctor judges the forced-checkpoint share only after this many checkpoints."),
    PGBOX_DOCTOR_DISK_WARN(Type.PERCENT, "80", "%", Apply.PGBOX, null,
            "Doctor warns when the file system of the data or WAL folder is this full."),
    PGBOX_DOCTOR_DISK_CRITICAL(Type.PERCENT, "90", "%", Apply.PGBOX, null,
            "Doctor reports critical when the file system of the data or WAL folder is this full."),
    PGBOX_DOCTOR_DISK_DAYS_WARN(Type.INT, "14", "days", Apply.PGBOX, null,
            "Doctor warns when the last day's growth would fill the data or WAL file system within this many days."),
    PGBOX_DOCTOR_DISK_DAYS_CRITICAL(Type.INT, "3", "days", Apply.PGBOX, null,
            "Doctor reports critical when the last day's growth would fill the file system within this many days."),
    PGBOX_DOCTOR_SEQUENCE_WARN(Type.PERCENT, "75", "%", Apply.PGBOX, null,
            "Doctor warns when a sequence has used this share of its range."),
    PGBOX_DOCTOR_SEQUENCE_CRITICAL(Type.PERCENT, "90", "%", Apply.PGBOX, null,
            "Doctor reports critical when a sequence has used this share of its range."),
    PGBOX_DOCTOR_UNUSED_INDEX_AGE(Type.DURATION, "7d", "", Apply.PGBOX, null,
            "Doctor warns about an index with no scans once it has seen it unused for this long (the agent runs the doctor "
                    + "every PGBOX_DOCTOR_INTERVAL; a new index has had no time to be used); 0 warns at once."),
    PGBOX_DOCTOR_BACKUP_WARN_PERIODS(Type.INT, "2", "periods", Apply.PGBOX, null,
            "Doctor warns when the last good backup (or restore drill) is older than this many periods of its schedule."),
    PGBOX_DOCTOR_BACKUP_CRITICAL_PERIODS(Type.INT, "3", "periods", Apply.PGBOX, null,
            "Doctor reports critical when the last good backup (or restore drill) is older than this many periods of its schedule."),
    PGBOX_DOCTOR_CRASH_WINDOW(Type.DURATION, "1d", "", Apply.PGBOX, null,
            "Doctor warns while the last crash restart of the server is this recent (and always for crashes new since its last run)."),
    PGBOX_DOCTOR_CRON_WINDOW(Type.DURATION, "1d", "", Apply.PGBOX, null,
            "Doctor warns about a pg_cron job whose last run failed within this window (pgbox jobs history --failed)."),

    // ---- metrics: the agent collects them and serves /metrics (Prometheus text) on 127.0.0.1
    PGBOX_METRICS_INTERVAL(Type.DURATION, "15s", "", Apply.START, null,
            "How often the agent collects metrics from the server and every app database; 0 turns collection off."),
    PGBOX_METRICS_PORT(Type.PORT, "9187", "", Apply.START, null,
            "Port of the agent's /metrics endpoint on 127.0.0.1 (postgres_exporter's port; give each project on a box its own)."),
    PGBOX_METRICS_HISTORY(Type.DURATION, "24h", "", Apply.START, null,
            "How long the agent keeps its metric samples in the pgbox.metric_samples table of the postgres database (an unlogged "
                    + "table: no WAL, no backups; emptied by a crash); zeros are not stored; 0 keeps none."),
    PGBOX_METRICS_HISTORY_EVERY(Type.DURATION, "1min", "", Apply.START, null,
            "How often a collection is also written to the history (the endpoint always serves the latest); 0: every collection."),

    // ---- alerts: the doctor's findings sent on change (pgbox alerts)
    PGBOX_ALERT_WEBHOOK_URL(Type.SECRET, "", "", Apply.START, null,
            "Webhook the agent POSTs alerts to as JSON (Slack- and Discord-compatible); empty: no webhook. "
                    + "Only in .env.secrets or the environment (such URLs carry a token)."),
    PGBOX_ALERT_WEBHOOK_FORMAT(Type.CHOICE, "auto", "", Apply.START, null,
            "Body of the webhook POST: slack ({\"text\"}), discord ({\"content\"}, at most 2000 characters), json "
                    + "(text, content and a structured alerts array for other receivers), or auto (slack for hooks.slack.com, "
                    + "discord for discord.com, json otherwise).", "auto", "slack", "discord", "json"),
    PGBOX_ALERT_REPEAT(Type.DURATION, "4h", "", Apply.START, null,
            "An alert still firing is sent again after this quiet period; 0 sends it once (and its resolve)."),
    PGBOX_ALERT_SMTP_HOST(Type.STRING, "", "", Apply.START, null,
            "SMTP server for email alerts; empty: no email. Needs PGBOX_ALERT_EMAIL_FROM and PGBOX_ALERT_EMAIL_TO."),
    PGBOX_ALERT_SMTP_PORT(Type.PORT, "587", "", Apply.START, null, "Port of the SMTP server (587: submission with STARTTLS)."),
    PGBOX_ALERT_SMTP_SECURITY(Type.CHOICE, "starttls", "", Apply.START, null,
            "starttls (the server must offer STARTTLS, else nothing is sent), tls (TLS from the first byte, usually port 465), "
                    + "or none (plain text: only to a loopback SMTP server, e.g. a local relay or a test server).",
            "starttls", "tls", "none"),
    PGBOX_ALERT_SMTP_USER(Type.STRING, "", "", Apply.START, null, "SMTP login; empty: send without logging in."),
    PGBOX_ALERT_SMTP_PASSWORD(Type.SECRET, "", "", Apply.START, null,
            "Password of PGBOX_ALERT_SMTP_USER (only in .env.secrets or the environment)."),
    PGBOX_ALERT_EMAIL_FROM(Type.STRING, "", "", Apply.START, null, "Sender address of email alerts."),
    PGBOX_ALERT_EMAIL_TO(Type.STRING, "", "", Apply.START, null, "Recipients of email alerts, comma-separated."),

    // ---- migrations: pgbox migrate (per app, migrations/APP in the project folder)
    PGBOX_MIGRATE_LOCK_TIMEOUT(Type.DURATION, "5s", "", Apply.PGBOX, null,
            "lock_timeout of every migration statement: a statement waiting this long for a lock fails (and its migration "
                    + "rolls back) instead of queueing every query of the app behind it."),
    PGBOX_MIGRATE_STATEMENT_TIMEOUT(Type.DURATION, "1h", "", Apply.PGBOX, null,
            "statement_timeout of every migration statement (0: none). Bounds a runaway migration; raise it for a long "
                    + "CREATE INDEX CONCURRENTLY on a big table."),

    // ---- lint: pgbox schema lint (and migrate up, which lints first)
    PGBOX_LINT_SMALL_TABLE(Type.SIZE, "10MB", "", Apply.PGBOX, null,
            "When linting against the running server, a locking or rewriting statement on a table smaller than this is a "
                    + "warning, not an error: it holds its lock only briefly."),
    PGBOX_LINT_LONG_TRANSACTION(Type.DURATION, "1min", "", Apply.PGBOX, null,
            "When linting against the running server, transactions of the app's database open longer than this are named in a "
                    + "warning on CONCURRENTLY statements, which wait for them to end before they finish."),

    // ---- partitions: pgbox partition (pg_partman)
    PGBOX_PARTITION_BATCH_ROWS(Type.INT, "10000", "rows", Apply.PGBOX, null,
            "Rows copied per transaction when 'pgbox partition convert' moves a table's rows into its partitioned copy."),
    PGBOX_PARTITION_LOCK_TIMEOUT(Type.DURATION, "1s", "", Apply.PGBOX, null,
            "How long 'pgbox partition convert' waits for the table's lock (to add its mirror trigger, and for the final swap)"
                    + " before it lets the app's queries through and tries again; app queries queue behind it at most this long."),

    // ---- jobs: pgbox jobs (pg_cron) and the jobs pgbox keeps for every app
    PGBOX_SOFT_DELETE_RETENTION(Type.DURATION, "90d", "", Apply.PGBOX, null,
            "How long soft-deleted rows (deleted_at set) of np_ tables stay before the daily purge job deletes them; 0: no purge job."),
    PGBOX_JOBS_PARTMAN_SCHEDULE(Type.CRON, "17 * * * *", "", Apply.PGBOX, null,
            "When the pg_cron job pgbox:APP:partman-maintenance runs pg_partman's maintenance in an app with partitioned "
                    + "tables (creates the premade partitions, drops those past retention); often enough for the smallest "
                    + "interval's premake. Empty: no such job."),
    PGBOX_JOBS_PURGE_SCHEDULE(Type.CRON, "23 3 * * *", "", Apply.PGBOX, null,
            "When the pg_cron job pgbox:APP:soft-delete-purge deletes rows soft-deleted longer than PGBOX_SOFT_DELETE_RETENTION "
                    + "from the app's np_ tables with a deleted_at column. Empty: no such job."),
    PGBOX_JOBS_PURGE_BATCH(Type.INT, "5000", "rows", Apply.PGBOX, null,
            "Rows the purge deletes per transaction (each batch commits, so row locks are short); a run stops at half the "
                    + "app's statement_timeout and the next run goes on."),
    PGBOX_JOBS_REINDEX_SCHEDULE(Type.CRON, "0 4 1 * *", "", Apply.PGBOX, null,
            "When the pg_cron jobs pgbox:APP:reindex:INDEX rebuild each vector index (hnsw, ivfflat) with REINDEX CONCURRENTLY. "
                    + "Empty: no such jobs."),
    PGBOX_JOBS_HISTORY_RETENTION(Type.DURATION, "7d", "", Apply.PGBOX, null,
            "How long pg_cron keeps each run in cron.job_run_details: the job pgbox:cron-history-purge (in POSTGRES_DB, "
                    + "daily) deletes older runs; 0: no such job (the table grows forever)."),
    PGBOX_JOBS_SYNC_SCHEDULE(Type.CRON, "*/15 * * * *", "", Apply.START, null,
            "When the agent brings every app's default jobs up to date (new partitioned, soft-delete or vector tables get "
                    + "their jobs; jobs of dropped tables and apps go). pgbox start and app create do it too. Empty: only those."),

    // ---- memory: pgbox memory (collections, embeddings, search) and the agent's HTTP API
    MEMORY_MODEL(Type.CHOICE, "all-minilm-l6-v2-q", "", Apply.PGBOX, null,
            "The embedding model of new collections: all-minilm-l6-v2-q (all-MiniLM-L6-v2 quantized, 384 dimensions, run "
                    + "in-process with no network), or external (the caller supplies every vector, of the collection's --dim).",
            "all-minilm-l6-v2-q", "external"),
    // memory: store (add, get, delete, import)
    MEMORY_MAX_CHARS(Type.INT, "16000", "characters", Apply.START, null,
            "Longest text a memory may hold; longer ones are refused with a clear error (split them first). The model "
                    + "reads the first 256 tokens (about 1,000 characters of English) of each text."),
    MEMORY_IMPORT_BATCH(Type.INT, "256", "lines", Apply.PGBOX, null,
            "Lines 'pgbox memory import' reads, embeds and copies per transaction (1 to 10000). Each batch commits with the "
                    + "import's position, so a stopped import resumes after its last batch; a bad line fails only its own batch."),
    // memory: search
    MEMORY_RRF_K(Type.INT, "60", "", Apply.START, null,
            "Hybrid search's reciprocal rank fusion constant k: a hit's score is the sum of 1 / (k + its rank) in the vector "
                    + "and the full-text rankings; a larger k flattens the difference between top ranks."),
    MEMORY_MMR_LAMBDA(Type.DECIMAL, "0.5", "", Apply.START, null,
            "MMR search's balance from 0 to 1: each next hit maximises lambda * its similarity to the query minus "
                    + "(1 - lambda) * its highest similarity to the hits already picked; 1 is plain vector search, lower "
                    + "values leave out near-duplicates."),
    MEMORY_FETCH_K(Type.INT, "", "candidates", Apply.START, null,
            "Candidates hybrid search takes from each ranking (vector and full text) before fusing, and MMR takes by "
                    + "vector before diversifying. Default: 4 x the limit, at least 40."),
    MEMORY_SEARCH_LIMIT(Type.INT, "10", "hits", Apply.START, null,
            "Hits 'pgbox memory search' returns when --limit is not given (1 to 1000)."),
    MEMORY_ITERATIVE_SCAN(Type.CHOICE, "relaxed_order", "", Apply.START, null,
            "pgvector's iterative index scan for searches narrowed by a metadata filter or a tenant: the index is read on "
                    + "until enough rows pass (relaxed_order; pgbox re-sorts the hits by distance), so a filtered search still "
                    + "returns its limit. strict_order keeps the index's exact order; off reads ef_search rows only and may "
                    + "return fewer hits.",
            "relaxed_order", "strict_order", "off"),
    // memory: index and tuning
    MEMORY_RECALL_TARGET(Type.DECIMAL, "0.95", "", Apply.PGBOX, null,
            "The recall@10 'pgbox memory tune' aims for when --recall is not given: the lowest ef_search (or probes) that "
                    + "finds at least this share of the exact 10 nearest neighbours."),
    MEMORY_TUNE_SAMPLES(Type.INT, "100", "queries", Apply.PGBOX, null,
            "How many query vectors 'pgbox memory tune' measures when --samples is not given: random live rows' own "
                    + "embeddings, each searched exactly once (sequential scan) and then through the index at each ef_search tried."),
    // the agent's HTTP API
    PGBOX_API_PORT(Type.PORT, "9188", "", Apply.START, null,
            "Port of the agent's HTTP API (memory collections, search) on 127.0.0.1; every call needs PGBOX_API_TOKEN as a "
                    + "bearer token."),
    PGBOX_API_TOKEN(Type.SECRET, "", "", Apply.START, null,
            "Bearer token of the agent's HTTP API (Authorization: Bearer TOKEN); generated into .env.secrets by pgbox start "
                    + "when missing. Set it empty there to turn the API off."),
    PGBOX_API_POOL_SIZE(Type.INT, "4", "connections", Apply.START, null,
            "Most connections the agent's HTTP API keeps open per app and role (the app's login role, its owner role)."),
    PGBOX_API_THREADS(Type.INT, "4", "threads", Apply.START, null,
            "Requests the agent's HTTP API serves at once; more wait in line."),

    // ---- pooling: PgBouncer (pgbox plugin install pgbouncer, pgbox pool); one block, kept together
    PGBOUNCER_ENABLED(Type.CHOICE, "off", "", Apply.START, null,
            "Run PgBouncer in front of the server (pgbox pool enable|disable, pgbox plugin install pgbouncer write it): on or off.",
            "on", "off"),
    PGBOUNCER_PORT(Type.PORT, "6432", "", Apply.START, null,
            "PgBouncer's TCP port on 127.0.0.1 (and its Unix socket in the run dir)."),
    PGBOUNCER_MAX_CLIENT_CONN(Type.INT, "", "connections", Apply.START, null,
            "Most client connections PgBouncer accepts in all (max_client_conn; each is a file descriptor, not a server "
                    + "process). Default: from the RAM plan (pgbox plan)."),
    PGBOUNCER_DEFAULT_POOL_SIZE(Type.INT, "", "connections", Apply.START, null,
            "Server connections of each app's transaction pool (default_pool_size). Default: from the RAM plan (pgbox plan)."),
    PGBOUNCER_POOL_MODE(Type.CHOICE, "transaction", "", Apply.START, null,
            "When PgBouncer gives a server connection back to the pool: transaction (after each transaction: use SET LOCAL, "
                    + "not SET; no session state), session (when the client disconnects) or statement. Each app also has a "
                    + "session pool, APP-session, for LISTEN/NOTIFY and session state.", "transaction", "session", "statement"),
    PGBOUNCER_RESERVE_POOL_SIZE(Type.INT, "", "connections", Apply.START, null,
            "Extra server connections a pool may use when a client waited PGBOUNCER_RESERVE_POOL_TIMEOUT (reserve_pool_size); "
                    + "0 turns it off. Default: from the RAM plan (pgbox plan)."),
    PGBOUNCER_RESERVE_POOL_TIMEOUT(Type.DURATION, "5s", "", Apply.START, null,
            "How long a client waits for a server connection before the pool may use its reserve (reserve_pool_timeout)."),
    PGBOUNCER_QUERY_WAIT_TIMEOUT(Type.DURATION, "2min", "", Apply.START, null,
            "A client waiting this long for a server connection gets an error instead (query_wait_timeout); 0 waits forever."),
    PGBOUNCER_SERVER_IDLE_TIMEOUT(Type.DURATION, "10min", "", Apply.START, null,
            "A server connection idle in its pool this long is closed (server_idle_timeout); 0 keeps them."),
    PGBOUNCER_CLIENT_IDLE_TIMEOUT(Type.DURATION, "0", "", Apply.START, null,
            "A client connection idle this long is closed (client_idle_timeout); 0 (PgBouncer's default) keeps it."),

    // ---- RAM plan: pgbox plan (one budget for the box: server, apps, pooler, builds, agent); one block, kept together
    POSTGRES_HOST_SHARE(Type.PERCENT, "10", "%", Apply.RELOAD, null,
            "Share of the machine's RAM kept for the OS and the other services on the box, even in pgbox's worst case "
                    + "(pgbox plan). POSTGRES_RAM_SHARE is what PostgreSQL's tuning plans for; when RAM minus this share, "
                    + "PgBouncer and the agent leaves less, the tuning plans for less. Raise it when other services share the box."),
    PGBOX_PLAN_FORCE(Type.CHOICE, "off", "", Apply.PGBOX, null,
            "on: start, restart and 'tune --apply' accept a configuration whose worst case (pgbox plan) exceeds the RAM; "
                    + "off refuses it (exit 3) and leaves the running server as it is.", "on", "off"),

    // ---- high availability: Patroni and etcd (pgbox ha); one block, kept together
    PATRONI_CLUSTER(Type.IDENT, "pgbox", "", Apply.INIT, null,
            "Name of the HA cluster (Patroni's scope): the same on every member. Changing it later makes a new cluster."),
    PATRONI_MEMBER(Type.IDENT, "", "", Apply.INIT, null,
            "This member's name in the cluster, also its etcd member's name. Default: the host name, lowercased, "
                    + "other characters as _."),
    PATRONI_REST_PORT(Type.PORT, "8008", "", Apply.RESTART, null,
            "Port of Patroni's REST API (health, switchover) on this member's address."),
    PATRONI_TTL(Type.INT, "20", "s", Apply.RESTART, null,
            "Leader lease: when the primary's node is lost, a standby takes over about this long (plus up to loop_wait) "
                    + "later. 20 is Patroni 4's minimum, so the fastest it allows; longer rides out longer stalls (etcd, "
                    + "network, disk) without a needless failover. loop_wait + 2*retry_timeout must fit in it."),
    PATRONI_LOOP_WAIT(Type.INT, "2", "s", Apply.RESTART, null,
            "Seconds between Patroni's rounds on each member (Patroni's default: 10): a standby notices an expired lease "
                    + "within this long; lower costs more etcd writes."),
    PATRONI_RETRY_TIMEOUT(Type.INT, "4", "s", Apply.RESTART, null,
            "Seconds Patroni retries etcd and PostgreSQL before a leader demotes itself (minimum 3, Patroni's default 10). "
                    + "Shorter demotes a cut-off leader sooner; too short demotes on a brief stall. With 20/2/4 the failover "
                    + "tests (node loss, kill of PostgreSQL, five partition-and-heal rounds, switchover under load) lose no "
                    + "acknowledged write and never show two writable primaries; bench/failover.sh measures ~22 s to a new "
                    + "primary (Patroni's 30/10/10: ~33 s)."),
    PATRONI_REPLICATION_CIDRS(Type.CIDR_LIST, "", "", Apply.RESTART, null,
            "Addresses or networks the other members connect from (e.g. 10.0.0.0/24): one hostssl scram-sha-256 line each "
                    + "for the replication and pg_rewind roles only. Default: this member's own address."),
    PATRONI_REWIND_PASSWORD(Type.SECRET, "", "", Apply.RESTART, null,
            "Password of the role pg_rewind logs in as when an old primary rejoins; the same on every member."),
    PATRONI_RESTAPI_PASSWORD(Type.SECRET, "", "", Apply.RESTART, null,
            "Password for the changing calls of Patroni's REST API (switchover, restart); the same on every member."),
    PATRONI_CLUSTER_CERT(Type.SECRET, "", "", Apply.RESTART, null,
            "The certificate every member's PostgreSQL presents (base64 of the first member's server.crt: a member's data, "
                    + "its TLS key pair included, is a copy of the first member's). The members' replication and pg_rewind "
                    + "logins verify each other against it (sslmode=verify-ca). Written by 'pgbox ha init' into .env.secrets; "
                    + "'pgbox ha join --secrets-from' copies it."),
    POSTGRES_SYNC_REPLICATION(Type.CHOICE, "auto", "", Apply.RESTART, null,
            "Synchronous replication in an HA cluster. auto: a commit waits for one standby whenever one is healthy, "
                    + "and the primary keeps writing alone when none is left. on: a commit always waits for a standby "
                    + "(no acknowledged commit without a copy; writes stop when no standby is left). off: asynchronous; "
                    + "a failover may lose the last commits.", "auto", "on", "off"),
    PATRONI_FAILSAFE_MODE(Type.CHOICE, "on", "", Apply.RELOAD, null,
            "When no etcd member answers (etcd down, this member still on the network): on keeps the primary writable "
                    + "while every other member's Patroni answers it and confirms none is taking over; off demotes it "
                    + "after retry_timeout, so writes stop until etcd is back. A primary cut off from the other members "
                    + "demotes itself either way.", "on", "off"),
    ETCD_ENDPOINTS(Type.STRING, "", "", Apply.RESTART, null,
            "etcd client URLs Patroni uses, comma-separated (e.g. http://10.0.0.1:2379,http://10.0.0.2:2379). "
                    + "Default: this member's own etcd member."),
    ETCD_CLIENT_PORT(Type.PORT, "2379", "", Apply.RESTART, null, "Client port of this host's etcd member."),
    ETCD_PEER_PORT(Type.PORT, "2380", "", Apply.RESTART, null, "Peer port of this host's etcd member."),
    ETCD_INITIAL_CLUSTER(Type.STRING, "", "", Apply.INIT, null,
            "Every etcd member as NAME=PEER_URL, comma-separated (e.g. a=http://10.0.0.1:2380,b=http://10.0.0.2:2380,"
                    + "c=http://10.0.0.3:2380); three members on three hosts survive the loss of one. Default: this member alone."),
    ETCD_INITIAL_CLUSTER_STATE(Type.CHOICE, "new", "", Apply.INIT, null,
            "new when the etcd cluster is first made; existing for a member added to a running one.", "new", "existing");

    /** Value kinds; each knows its allowed form for error messages. */
    public enum Type {
        STRING("text"),
        INT("a whole number, e.g. 100"),
        DECIMAL("a number, e.g. 1.1"),
        PERCENT("a whole percentage from 1 to 100, e.g. 50"),
        SIZE("a whole number with a unit kB, MB, GB or TB, e.g. 512MB"),
        DURATION("a whole number with a unit ms, s, min, h or d, e.g. 30s (0 or -1 to turn off)"),
        PORT("a TCP port from 1 to 65535"),
        HOST("a loopback address: 127.0.0.1, ::1 or localhost"),
        ADDRESS_LIST("IP addresses separated by commas, or *"),
        CIDR_LIST("networks separated by commas, like 10.0.0.0/24 or 2001:db8::/32"),
        LIBRARY_LIST("library names separated by commas, each of letters, digits, _ and -, e.g. auto_explain"),
        REPO("an absolute folder path, or s3://bucket/prefix"),
        CRON("a cron schedule of 5 fields: minute hour day month weekday, e.g. 30 2 * * *"),
        IDENT("a lowercase name: letters, digits and _, starting with a letter, at most 63 bytes"),
        PATH("an absolute folder path"),
        SECRET("any text without spaces"),
        CHOICE("one of the listed values");

        private final String form;

        Type(String form) {
            this.form = form;
        }

        public String form() {
            return form;
        }
    }

    private final Type type;
    private final String defaultValue;
    private final String unit;
    private final Apply apply;
    private final String guc;
    private final String description;
    private final List<String> choices;

    Setting(Type type, String defaultValue, String unit, Apply apply, String guc, String description, String... choices) {
        this.type = type;
        this.defaultValue = defaultValue;
        this.unit = unit;
        this.apply = apply;
        this.guc = guc;
        this.description = description;
        this.choices = List.of(choices);
    }

    public Type type() {
        return type;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String unit() {
        return unit.isEmpty() && type == Type.SIZE ? "bytes (kB/MB/GB)" : unit.isEmpty() && type == Type.DURATION ? "ms/s/min/h/d" : unit;
    }

    public Apply apply() {
        return apply;
    }

    /** The PostgreSQL parameter this maps to, or null. */
    public String guc() {
        return guc;
    }

    public String description() {
        return description;
    }

    public List<String> choices() {
        return choices;
    }

    public boolean secret() {
        return type == Type.SECRET;
    }

    /** The allowed form, for messages. */
    public String form() {
        if (type == Type.CHOICE) {
            return "one of " + String.join(", ", choices);
        }
        Range r = range();
        return r == null ? type.form() : "a whole number from " + r.min() + " to " + r.max() + (r.why().isEmpty() ? "" : ": " + r.why());
    }

    /** Allowed whole numbers of an INT setting, with why the bounds are there; {@code why} may be empty. */
    public record Range(long min, long max, String why) {
        public boolean contains(long v) {
            return v >= min && v <= max;
        }
    }

    /**
     * One library name of POSTGRES_SHARED_PRELOAD_LIBRARIES: a plain file name PostgreSQL finds in its
     * library folder. No paths, quotes, spaces or commas, so a name can never reach outside the list.
     */
    public static final Pattern LIBRARY_NAME = Pattern.compile("[A-Za-z0-9_-]{1,63}");

    /** PostgreSQL's limit on all server processes together (MAX_BACKENDS). */
    public static final int MAX_BACKENDS = 262143;
    /** superuser_reserved_connections' default: slots only superusers may use. */
    public static final int RESERVED_CONNECTIONS = 3;

    /**
     * The range of an INT setting, or null for no bound beyond "a whole number". These are the bounds
     * PostgreSQL or pgBackRest only enforce at start (or that mean nothing can work); PostgreSQL's own
     * per-parameter ranges are left to PostgreSQL, which judges every candidate configuration before
     * pgbox applies it (cluster.ConfigGuard).
     */
    public Range range() {
        return switch (this) {
            case POSTGRES_MAX_CONNECTIONS -> new Range(RESERVED_CONNECTIONS + 1, MAX_BACKENDS,
                    "PostgreSQL keeps " + RESERVED_CONNECTIONS + " connections for superusers (superuser_reserved_connections), "
                            + "so at least " + (RESERVED_CONNECTIONS + 1) + " leaves one for clients");
            case POSTGRES_CPUS, POSTGRES_AUTOVACUUM_MAX_WORKERS -> new Range(1, MAX_BACKENDS, "");
            case POSTGRES_MAX_WORKER_PROCESSES -> new Range(1, MAX_BACKENDS, "");
            case PGBOX_APP_CONNECTION_LIMIT -> new Range(1, MAX_BACKENDS, "a limit of 0 would let no one log in");
            case BACKUP_RETENTION_FULL, BACKUP_RETENTION_DIFF, BACKUP_DUMP_RETENTION -> new Range(1, 9999999,
                    "0 would delete every backup");
            case BACKUP_PROCESS_MAX -> new Range(1, 999, "pgBackRest's limit");
            case PGBOX_PG_VERSION -> new Range(10, 99, "");
            default -> null;
        };
    }

    /**
     * The share of the machine's RAM a memory setting may take at most, in percent, or 0 when it is not
     * bounded by RAM. shared_buffers is allocated whole at start; leaving a fifth of RAM keeps room for
     * the OS and every connection's own memory. The others are per-operation amounts or a planner hint,
     * so one of them above all of RAM can never be right.
     */
    public int ramPercentLimit() {
        return switch (this) {
            case POSTGRES_SHARED_BUFFERS -> 80;
            case POSTGRES_WORK_MEM, POSTGRES_MAINTENANCE_WORK_MEM, POSTGRES_WAL_BUFFERS, POSTGRES_EFFECTIVE_CACHE_SIZE -> 100;
            default -> 0;
        };
    }

    public static Optional<Setting> byName(String name) {
        return Arrays.stream(values()).filter(s -> s.name().equals(name)).findFirst();
    }

    /** The PostgreSQL-parameter-backed setting, if any. */
    public static Optional<Setting> byGuc(String guc) {
        return Arrays.stream(values()).filter(s -> guc.equals(s.guc)).findFirst();
    }

    /**
     * The PostgreSQL parameters pgbox writes into its server config that no setting stands for, each
     * with its context as PostgreSQL 15 lists it in pg_settings.context. Together with the settings'
     * own {@link #apply()} this is the one place pgbox knows whether a parameter needs a restart
     * ({@link #applyOf}); PreloadIT compares both with a running server's pg_settings.
     */
    private static final Map<String, String> FIXED_GUC_CONTEXTS = Map.ofEntries(
            Map.entry("unix_socket_directories", "postmaster"),
            Map.entry("ssl", "sighup"),
            Map.entry("ssl_cert_file", "sighup"),
            Map.entry("ssl_key_file", "sighup"),
            Map.entry("ssl_min_protocol_version", "sighup"),
            Map.entry("archive_mode", "postmaster"),
            Map.entry("archive_command", "sighup"),
            Map.entry("cron.database_name", "postmaster"),
            Map.entry("cron.use_background_workers", "postmaster"),
            Map.entry("cron.max_running_jobs", "postmaster"),
            Map.entry("pg_stat_statements.max", "postmaster"),
            Map.entry("track_io_timing", "superuser"),
            Map.entry("logging_collector", "postmaster"),
            Map.entry("log_directory", "sighup"),
            Map.entry("log_filename", "sighup"),
            Map.entry("log_truncate_on_rotation", "sighup"),
            Map.entry("log_rotation_age", "sighup"),
            Map.entry("log_rotation_size", "sighup"),
            Map.entry("log_line_prefix", "sighup"),
            Map.entry("log_checkpoints", "sighup"),
            Map.entry("log_lock_waits", "superuser"),
            Map.entry("log_temp_files", "superuser"),
            Map.entry("log_autovacuum_min_duration", "sighup"));

    /**
     * When a new value of a PostgreSQL parameter pgbox writes takes effect: {@link Apply#RESTART} or
     * {@link Apply#RELOAD}. From the setting that stands for it, else from the table of fixed
     * parameters. A parameter the catalogue does not know is a programming error, so a new line in the
     * server config or the tuning plan cannot skip the catalogue.
     *
     * @throws IllegalArgumentException for a parameter the catalogue does not know
     */
    public static Apply applyOf(String guc) {
        Optional<Setting> setting = byGuc(guc);
        if (setting.isPresent()) {
            return setting.get().apply();
        }
        String context = FIXED_GUC_CONTEXTS.get(guc);
        if (context == null) {
            throw new IllegalArgumentException("the settings catalogue does not know the PostgreSQL parameter " + guc);
        }
        return applyOfContext(context);
    }

    /**
     * PostgreSQL's pg_settings.context as pgbox's Apply: a postmaster parameter needs a restart; sighup,
     * superuser and user parameters are re-read on a reload.
     */
    public static Apply applyOfContext(String context) {
        return switch (context) {
            case "postmaster" -> Apply.RESTART;
            case "sighup", "superuser", "user" -> Apply.RELOAD;
            default -> throw new IllegalArgumentException("pgbox writes no parameter of context " + context);
        };
    }

    /** The parameters of the fixed table (for tests that hold it against PostgreSQL). */
    public static Set<String> fixedGucs() {
        return FIXED_GUC_CONTEXTS.keySet();
    }

    /** The closest known name within a small edit distance, for "did you mean" hints. */
    public static Optional<Setting> nearest(String name) {
        Setting best = null;
        int bestDistance = Integer.MAX_VALUE;
        String upper = name.toUpperCase(Locale.ROOT);
        for (Setting s : values()) {
            int d = distance(upper, s.name());
            if (d < bestDistance) {
                bestDistance = d;
                best = s;
            }
        }
        int allowed = Math.max(2, name.length() / 5);
        return bestDistance <= allowed ? Optional.ofNullable(best) : Optional.empty();
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
