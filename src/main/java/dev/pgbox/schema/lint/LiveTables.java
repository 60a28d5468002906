package dev.pgbox.schema.lint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.sql.SqlDoor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the running server says about the tables a set of scripts touches, read in one query: size
 * (all partitions of a partitioned table), the planner's row estimate, and the locks other sessions
 * hold or wait for on each right now, with how old their transaction is.
 */
final class LiveTables {
    /** One lock of another session on a table. */
    record HeldLock(int pid, LockMode mode, boolean granted, long transactionSeconds, String state) {
    }

    /** A transaction of the database open longer than the threshold. */
    record LongTransaction(int pid, long seconds, String state) {
    }

    /**
     * @param rows the planner's estimate; -1 when the table was never analyzed
     * @param longTransactions of the whole database (the same for every table): what CONCURRENTLY waits for
     */
    record Facts(TableRef table, long bytes, long rows, List<HeldLock> locks, List<LongTransaction> longTransactions) {
    }

    private static final String QUERY = """
            WITH long AS (
              SELECT coalesce(string_agg(pid || ',' || extract(epoch FROM now() - xact_start)::bigint || ',' || coalesce(state, ''), chr(30)), '') AS txs
              FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                AND xact_start < now() - make_interval(secs => $2)
            ), wanted AS (
              SELECT w->>0 AS nspname, w->>1 AS relname FROM jsonb_array_elements($1::jsonb) w
            ), rel AS (
              SELECT w.nspname, w.relname, c.oid, c.relkind, c.reltuples
              FROM wanted w JOIN pg_namespace n ON n.nspname = w.nspname
              JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.relname AND c.relkind IN ('r', 'p', 'm')
            )
            SELECT r.nspname, r.relname,
              CASE WHEN r.relkind = 'p'
                THEN (SELECT coalesce(sum(pg_relation_size(t.relid)), 0) FROM pg_partition_tree(r.oid) t)::bigint
                ELSE pg_relation_size(r.oid) END,
              CASE WHEN r.relkind = 'p'
                THEN coalesce((SELECT CASE WHEN bool_or(c.reltuples < 0) THEN -1 ELSE sum(c.reltuples) END
                  FROM pg_partition_tree(r.oid) t JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf), 0)::bigint
                ELSE r.reltuples::bigint END,
              coalesce((SELECT string_agg(l.pid || ',' || l.mode || ',' || l.granted || ','
                                 || coalesce(extract(epoch FROM now() - a.xact_start)::bigint, 0) || ',' || coalesce(a.state, ''), chr(30))
                        FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
                        WHERE l.locktype = 'relation' AND l.relation = r.oid AND l.pid <> pg_backend_pid()
                          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                          AND coalesce(a.backend_type, '') <> 'autovacuum worker'), ''),
              long.txs
            FROM rel r, long""";

    private LiveTables() {
    }

    /** Facts of those tables that exist, by {@link TableRef#key()}. */
    static Map<String, Facts> read(SqlDoor admin, String database, Collection<TableRef> tables, long longTransactionMillis) {
        Map<String, Facts> out = new HashMap<>();
        if (tables.isEmpty()) {
            return out;
        }
        String wanted;
        try {
            wanted = new ObjectMapper().writeValueAsString(tables.stream().map(t -> List.of(t.schema(), t.name())).distinct().toList());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        for (List<String> row : admin.rows(database, QUERY, wanted, Math.max(0, longTransactionMillis / 1000))) {
            TableRef t = new TableRef(row.get(0), row.get(1));
            List<HeldLock> locks = new ArrayList<>();
            String all = row.get(4) == null ? "" : row.get(4);
            for (String l : all.split("\u001e")) {
                String[] f = l.split(",", 5);
                if (f.length == 5) {
                    LockMode.fromCatalog(f[1]).ifPresent(m -> locks.add(new HeldLock(Integer.parseInt(f[0]), m, f[2].equals("true") || f[2].equals("t"),
                            Long.parseLong(f[3]), f[4])));
                }
            }
            List<LongTransaction> old = new ArrayList<>();
            for (String l : (row.get(5) == null ? "" : row.get(5)).split("\u001e")) {
                String[] f = l.split(",", 3);
                if (f.length == 3) {
                    old.add(new LongTransaction(Integer.parseInt(f[0]), Long.parseLong(f[1]), f[2]));
                }
            }
            out.put(t.key(), new Facts(t, Long.parseLong(row.get(2)), Long.parseLong(row.get(3)), locks, old));
        }
        return out;
    }
}
