package dev.pgbox.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.Apps;
import dev.pgbox.cluster.Instance;
import dev.pgbox.sql.IndexRules;
import dev.pgbox.sql.SqlText;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the checks read from a running server, in as few round trips as possible (the agent runs the
 * doctor every minute; over 8 apps it must stay well under 2 s): ONE query for everything server-wide and
 * ONE per database, each answering a single JSON document. Plain data: the {@link Checks} are pure
 * functions of it.
 */
public final class Facts {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Facts() {
    }

    /**
     * Server-wide facts.
     *
     * @param sessions every client session but the doctor's own
     * @param databases every database that accepts connections
     * @param checkpointsTimed checkpoints started by checkpoint_timeout
     * @param checkpointsRequested checkpoints forced (by WAL volume or by hand)
     * @param standbys this server's standbys (pg_stat_replication)
     * @param replayDelaySeconds on a replica: seconds since the last replayed transaction's commit, else null
     * @param receiving on a replica: whether the WAL receiver streams
     * @param apps the databases 'pgbox app create' made, by name
     */
    public record Server(int connections, int maxConnections, int reservedConnections, boolean inRecovery, double now,
                         List<Session> sessions, List<DatabaseStat> databases, long checkpointsTimed, long checkpointsRequested,
                         Archiver archiver, List<Standby> standbys, Double replayDelaySeconds, boolean receiving, List<String> apps) {

        /** A server with these connections and nothing else going on (tests and the connection check). */
        public Server(int connections, int maxConnections, int reservedConnections) {
            this(connections, maxConnections, reservedConnections, false, 0, List.of(), List.of(), 0, 0,
                    new Archiver(0, null, 0, null, null), List.of(), null, false, List.of());
        }
    }

    /**
     * One client session.
     *
     * @param xactSeconds how long its transaction has been open, or null outside a transaction
     * @param stateSeconds how long it has been in its current state
     * @param querySeconds how long its current (or last) query has run
     * @param blockedBy the PIDs holding the lock it waits for (pg_blocking_pids)
     */
    public record Session(int pid, String database, String user, String state, Double xactSeconds, double stateSeconds,
                          double querySeconds, String query, List<Integer> blockedBy) {
    }

    /** One database: transaction ID age, block hits and reads, when its statistics were reset (epoch s or null). */
    public record DatabaseStat(String name, long xidAge, long blocksHit, long blocksRead, Double statsReset) {
    }

    /** pg_stat_archiver: times are epoch seconds or null. */
    public record Archiver(long archived, Double lastArchived, long failed, Double lastFailed, String lastFailedWal) {
    }

    /** One standby of this primary: WAL left to replay and replay_lag in seconds (null when unknown). */
    public record Standby(String name, String client, String state, Long lagBytes, Double lagSeconds) {
    }

    /** What one database holds: only the rows worth a look come back (the SQL filters by the thresholds). */
    public record Database(String name, List<Table> tables, List<TableXid> oldTables, TableXid oldestTable, List<Index> invalidIndexes,
                           List<Index> unusedIndexes, List<ForeignKey> foreignKeysWithoutIndex, List<Sequence> sequences,
                           int tableCount, int sequenceCount) {
    }

    /** A table with many dead rows: last (auto)vacuum in epoch seconds or null; autovacuumOff from its reloptions. */
    public record Table(String name, long live, long dead, Double lastVacuum, boolean autovacuumOff) {
    }

    /** A table and the age of its relfrozenxid. */
    public record TableXid(String name, long age) {
    }

    /** An index (schema-qualified, quoted where needed), its table and size. */
    public record Index(String name, String table, long bytes) {
    }

    /** A foreign key no index starts with: its table and its columns in key order. */
    public record ForeignKey(String name, String table, String columns) {
    }

    /** A sequence and the share of its range it has used. */
    public record Sequence(String name, long lastValue, long maxValue, double usedPercent) {
    }

    /** Reads one database's facts in one query; only rows past these limits come back. */
    public static Database database(Instance instance, String database, long minDead, long xidWarn, int sequenceWarn) {
        return parseDatabase(database, json(instance, database, databaseSql(minDead, xidWarn, sequenceWarn)));
    }

    /** The server's facts and one database's, in one psql call (the server views are the same from every database). */
    public record Both(Server server, Database database) {
    }

    /** Reads the server-wide facts and {@code database}'s in one round trip. */
    public static Both serverAndDatabase(Instance instance, String database, long minDead, long xidWarn, int sequenceWarn) {
        String out = instance.admin().run(database, serverSql(instance.major()) + ";\n"
                + databaseSql(minDead, xidWarn, sequenceWarn) + ";\n").strip();
        List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
        if (lines.size() != 2) {
            throw unreadable(database, "expected two JSON documents, got " + lines.size() + " lines");
        }
        return new Both(parseServer(parse(database, lines.get(0))), parseDatabase(database, parse(database, lines.get(1))));
    }

    private static JsonNode json(Instance instance, String database, String sql) {
        return parse(database, instance.admin().run(database, sql).strip());
    }

    private static PgboxException unreadable(String database, String why) {
        return new PgboxException(ErrorKind.SQL, "the doctor could not read the facts of database " + database, why,
                "this is a pgbox bug; run 'pgbox doctor --app " + database + "' to narrow it down");
    }

    private static JsonNode parse(String database, String out) {
        try {
            return JSON.readTree(out);
        } catch (IOException e) {
            throw unreadable(database, e.getMessage());
        }
    }

    /** The server-wide query; PostgreSQL 17 moved the checkpoint counters to pg_stat_checkpointer. */
    static String serverSql(int major) {
        String checkpoints = major >= 17
                ? "(SELECT json_build_object('timed', num_timed, 'req', num_requested) FROM pg_stat_checkpointer)"
                : "(SELECT json_build_object('timed', checkpoints_timed, 'req', checkpoints_req) FROM pg_stat_bgwriter)";
        return "SELECT json_build_object("
                + "'connections', (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),"
                + " 'max_connections', current_setting('max_connections')::int,"
                + " 'reserved', current_setting('superuser_reserved_connections')::int,"
                + " 'in_recovery', pg_is_in_recovery(),"
                + " 'now', extract(epoch FROM now()),"
                + " 'sessions', (SELECT coalesce(json_agg(json_build_object('pid', a.pid, 'database', a.datname, 'user', a.usename,"
                + "   'state', a.state, 'xact', extract(epoch FROM now() - a.xact_start), 'since', extract(epoch FROM now() - a.state_change),"
                + "   'query_age', extract(epoch FROM now() - a.query_start), 'query', left(a.query, 200),"
                + "   'blocked_by', pg_blocking_pids(a.pid))), '[]')"
                + "   FROM pg_stat_activity a WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()),"
                + " 'databases', (SELECT coalesce(json_agg(json_build_object('name', d.datname, 'xid_age', age(d.datfrozenxid),"
                + "   'hit', coalesce(s.blks_hit, 0), 'read', coalesce(s.blks_read, 0), 'reset', extract(epoch FROM s.stats_reset))"
                + "   ORDER BY d.datname), '[]')"
                + "   FROM pg_database d LEFT JOIN pg_stat_database s ON s.datid = d.oid WHERE d.datallowconn),"
                + " 'checkpoints', " + checkpoints + ","
                + " 'archiver', (SELECT json_build_object('archived', archived_count, 'last_archived', extract(epoch FROM last_archived_time),"
                + "   'failed', failed_count, 'last_failed', extract(epoch FROM last_failed_time), 'last_failed_wal', last_failed_wal)"
                + "   FROM pg_stat_archiver),"
                // pg_current_wal_lsn() fails during recovery: a cascading replica reports no byte lag
                + " 'standbys', (SELECT coalesce(json_agg(json_build_object('name', r.application_name, 'client', r.client_addr::text,"
                + "   'state', r.state, 'lag_bytes', CASE WHEN pg_is_in_recovery() THEN NULL"
                + "   ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn)::bigint END,"
                + "   'lag_seconds', extract(epoch FROM r.replay_lag))), '[]') FROM pg_stat_replication r),"
                // caught up (everything received is replayed) is no delay, however long the primary has been quiet
                + " 'replay_delay', CASE WHEN NOT pg_is_in_recovery() THEN NULL WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
                + "   ELSE greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp())) END,"
                + " 'receiving', EXISTS (SELECT FROM pg_stat_wal_receiver WHERE status = 'streaming'),"
                + " 'apps', (SELECT coalesce(json_agg(datname ORDER BY datname), '[]') FROM pg_database"
                + "   WHERE shobj_description(oid, 'pg_database') = " + SqlText.literal(Apps.MARKER) + "))";
    }

    static Server parseServer(JsonNode n) {
        List<Session> sessions = new ArrayList<>();
        for (JsonNode s : n.path("sessions")) {
            List<Integer> blockers = new ArrayList<>();
            s.path("blocked_by").forEach(b -> blockers.add(b.asInt()));
            sessions.add(new Session(s.path("pid").asInt(), text(s, "database"), text(s, "user"), text(s, "state"),
                    decimal(s, "xact"), s.path("since").asDouble(), s.path("query_age").asDouble(), text(s, "query"), blockers));
        }
        List<DatabaseStat> dbs = new ArrayList<>();
        for (JsonNode d : n.path("databases")) {
            dbs.add(new DatabaseStat(d.path("name").asText(), d.path("xid_age").asLong(), d.path("hit").asLong(), d.path("read").asLong(),
                    decimal(d, "reset")));
        }
        JsonNode a = n.path("archiver");
        Archiver archiver = new Archiver(a.path("archived").asLong(), decimal(a, "last_archived"), a.path("failed").asLong(),
                decimal(a, "last_failed"), text(a, "last_failed_wal"));
        List<Standby> standbys = new ArrayList<>();
        for (JsonNode r : n.path("standbys")) {
            standbys.add(new Standby(text(r, "name"), text(r, "client"), text(r, "state"),
                    r.path("lag_bytes").isNumber() ? r.path("lag_bytes").asLong() : null, decimal(r, "lag_seconds")));
        }
        List<String> apps = new ArrayList<>();
        n.path("apps").forEach(x -> apps.add(x.asText()));
        return new Server(n.path("connections").asInt(), n.path("max_connections").asInt(), n.path("reserved").asInt(),
                n.path("in_recovery").asBoolean(), n.path("now").asDouble(), sessions, dbs, n.path("checkpoints").path("timed").asLong(),
                n.path("checkpoints").path("req").asLong(), archiver, standbys, decimal(n, "replay_delay"), n.path("receiving").asBoolean(),
                apps);
    }

    /**
     * The per-database query. Index and foreign-key matching works on column numbers: an FK is covered
     * when some valid, non-partial index's first N key columns are exactly the FK's N columns (any order).
     */
    static String databaseSql(long minDead, long xidWarn, int sequenceWarn) {
        String qualified = "quote_ident(n.nspname) || '.' || quote_ident(c.relname)";
        return "SELECT json_build_object("
                + "'tables', (SELECT coalesce(json_agg(json_build_object('name', quote_ident(s.schemaname) || '.' || quote_ident(s.relname),"
                + "   'live', s.n_live_tup, 'dead', s.n_dead_tup,"
                + "   'vacuumed', extract(epoch FROM greatest(s.last_autovacuum, s.last_vacuum)),"
                + "   'autovacuum_off', EXISTS (SELECT FROM unnest(c.reloptions) o WHERE lower(o) IN"
                + "     ('autovacuum_enabled=false', 'autovacuum_enabled=off', 'autovacuum_enabled=no', 'autovacuum_enabled=0',"
                + "      'autovacuum_enabled=f', 'autovacuum_enabled=n', 'autovacuum_enabled=of'))) ORDER BY s.n_dead_tup DESC), '[]')"
                + "   FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.n_dead_tup >= " + minDead + "),"
                + " 'table_count', (SELECT count(*) FROM pg_stat_user_tables),"
                + " 'old_tables', (SELECT coalesce(json_agg(json_build_object('name', t.name, 'age', t.age) ORDER BY t.age DESC), '[]') FROM"
                + "   (SELECT " + qualified + " AS name, age(c.relfrozenxid) AS age FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + "    WHERE c.relkind IN ('r', 'm', 't') AND age(c.relfrozenxid) >= " + xidWarn
                + "    ORDER BY age(c.relfrozenxid) DESC LIMIT 20) t),"
                + " 'oldest_table', (SELECT json_build_object('name', " + qualified + ", 'age', age(c.relfrozenxid))"
                + "   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'm', 't')"
                + "   ORDER BY age(c.relfrozenxid) DESC LIMIT 1),"
                + " 'invalid_indexes', (SELECT coalesce(json_agg(json_build_object('name', " + qualified + ", 'table', i.indrelid::regclass::text,"
                + "   'bytes', pg_relation_size(c.oid))), '[]')"
                + "   FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT i.indisvalid),"
                + " 'unused_indexes', (SELECT coalesce(json_agg(json_build_object('name', " + qualified + ", 'table', i.indrelid::regclass::text,"
                + "   'bytes', pg_relation_size(c.oid)) ORDER BY pg_relation_size(c.oid) DESC), '[]')"
                + "   FROM pg_stat_user_indexes u JOIN pg_index i ON i.indexrelid = u.indexrelid JOIN pg_class c ON c.oid = i.indexrelid"
                + "   JOIN pg_namespace n ON n.oid = c.relnamespace"
                + "   WHERE u.idx_scan = 0 AND i.indisvalid AND " + IndexRules.backsNothing("i") + " AND " + IndexRules.notExtension("i.indrelid") + "),"
                + " 'fk_without_index', (SELECT coalesce(json_agg(json_build_object('name', quote_ident(k.conname), 'table', k.conrelid::regclass::text,"
                + "   'columns', (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY x.n) FROM unnest(k.conkey) WITH ORDINALITY x(attnum, n)"
                + "     JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = x.attnum))), '[]')"
                + "   FROM pg_constraint k WHERE k.contype = 'f' AND " + IndexRules.notExtension("k.conrelid") + " AND "
                + IndexRules.fkWithoutIndex("k") + "),"
                + " 'sequences', (SELECT coalesce(json_agg(json_build_object('name', q.name, 'last', q.last_value, 'max', q.max_value,"
                + "   'pct', q.pct) ORDER BY q.pct DESC), '[]') FROM"
                + "   (SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) AS name, last_value, max_value,"
                + "     round((CASE WHEN increment_by > 0 THEN (last_value::numeric - min_value) / nullif(max_value::numeric - min_value, 0)"
                + "      ELSE (max_value::numeric - last_value) / nullif(max_value::numeric - min_value, 0) END) * 100, 2) AS pct"
                + "     FROM pg_sequences WHERE last_value IS NOT NULL) q WHERE q.pct >= " + sequenceWarn + "),"
                + " 'sequence_count', (SELECT count(*) FROM pg_sequences))";
    }

    static Database parseDatabase(String name, JsonNode n) {
        List<Table> tables = new ArrayList<>();
        for (JsonNode t : n.path("tables")) {
            tables.add(new Table(t.path("name").asText(), t.path("live").asLong(), t.path("dead").asLong(), decimal(t, "vacuumed"),
                    t.path("autovacuum_off").asBoolean()));
        }
        List<TableXid> old = new ArrayList<>();
        n.path("old_tables").forEach(t -> old.add(new TableXid(t.path("name").asText(), t.path("age").asLong())));
        JsonNode o = n.path("oldest_table");
        TableXid oldest = o.isObject() ? new TableXid(o.path("name").asText(), o.path("age").asLong()) : null;
        List<ForeignKey> fks = new ArrayList<>();
        n.path("fk_without_index").forEach(f -> fks.add(new ForeignKey(f.path("name").asText(), f.path("table").asText(),
                f.path("columns").asText())));
        List<Sequence> seqs = new ArrayList<>();
        n.path("sequences").forEach(s -> seqs.add(new Sequence(s.path("name").asText(), s.path("last").asLong(), s.path("max").asLong(),
                s.path("pct").asDouble())));
        return new Database(name, tables, old, oldest, indexes(n.path("invalid_indexes")), indexes(n.path("unused_indexes")), fks, seqs,
                n.path("table_count").asInt(), n.path("sequence_count").asInt());
    }

    private static List<Index> indexes(JsonNode list) {
        List<Index> out = new ArrayList<>();
        list.forEach(i -> out.add(new Index(i.path("name").asText(), i.path("table").asText(), i.path("bytes").asLong())));
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isNull() || v.isMissingNode() ? null : v.asText();
    }

    private static Double decimal(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isNumber() ? v.asDouble() : null;
    }
}
