package dev.pgbox.pool;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.cluster.Instance;
import dev.pgbox.sql.AdminSql;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * PgBouncer's admin console: psql over PgBouncer's Unix socket as the OS user that runs it (peer
 * authentication, admin_users), through the same door pgbox uses for the server's superuser. Reads
 * SHOW POOLS and SHOW STATS by column name, so a PgBouncer that adds or moves columns still parses.
 */
public final class PoolConsole {
    private final AdminSql door;
    private final PoolerAddress at;

    public PoolConsole(AdminSql door, PoolerAddress at) {
        this.door = door;
        this.at = at;
    }

    /** The console of the PgBouncer in front of {@code instance}, at {@code at}. */
    public static PoolConsole of(Instance instance, PoolerAddress at) {
        return new PoolConsole(new AdminSql(new AdminSql.Endpoint(instance.pg().bin("psql"), at.runDir(), at.port(), at.adminUser())), at);
    }

    /** Every pool and the traffic per pool database, now. */
    public PoolReport report() {
        return PoolReport.of(at.port(), pools(), traffic());
    }

    /** SHOW POOLS, without the console's own pool. */
    public List<PoolStatus> pools() {
        return rows("SHOW POOLS").stream().filter(r -> !PoolerAddress.CONSOLE.equals(r.get("database")))
                .map(r -> new PoolStatus(r.get("database"), r.get("user"), number(r, "cl_active"), number(r, "cl_waiting"),
                        number(r, "sv_active"), number(r, "sv_idle"), number(r, "sv_used"),
                        number(r, "maxwait") + number(r, "maxwait_us") / 1_000_000.0, r.get("pool_mode")))
                .toList();
    }

    /** SHOW STATS, without the console's own database. */
    public List<PoolReport.Traffic> traffic() {
        return rows("SHOW STATS").stream().filter(r -> !PoolerAddress.CONSOLE.equals(r.get("database")))
                .map(r -> new PoolReport.Traffic(r.get("database"), number(r, "total_xact_count"), number(r, "total_query_count"),
                        number(r, "avg_query_time"), number(r, "avg_wait_time")))
                .toList();
    }

    /** SHOW LISTS: PgBouncer's internal counts (used_clients, used_servers, pools, ...), by name. */
    public Map<String, Long> lists() {
        Map<String, Long> counts = new HashMap<>();
        for (Map<String, String> r : rows("SHOW LISTS")) {
            counts.put(r.get("list"), number(r, "items"));
        }
        return counts;
    }

    /** RECONNECT one pool database: PgBouncer closes its idle server connections now, busy ones when released. */
    public void reconnect(String poolDatabase) {
        rows("RECONNECT \"" + poolDatabase + "\"");
    }

    private List<Map<String, String>> rows(String show) {
        try {
            return byName(door.console(at.adminUser(), PoolerAddress.CONSOLE, show + ";"));
        } catch (PgboxException e) {
            throw new PgboxException(ErrorKind.NOT_RUNNING, "PgBouncer's admin console did not answer " + show,
                    e.reason(), "run 'pgbox pool status' to see whether PgBouncer runs; 'pgbox start' starts it when PGBOUNCER_ENABLED=on");
        }
    }

    /** psql's unaligned output with its header as the first row: each later row as column name to text. */
    static List<Map<String, String>> byName(List<List<String>> table) {
        if (table.isEmpty()) {
            return List.of();
        }
        List<String> header = table.get(0);
        List<Map<String, String>> rows = new ArrayList<>();
        for (List<String> row : table.subList(1, table.size())) {
            Map<String, String> r = new HashMap<>();
            for (int i = 0; i < header.size() && i < row.size(); i++) {
                r.put(header.get(i).strip(), row.get(i).strip());
            }
            rows.add(r);
        }
        return rows;
    }

    /** A counter, 0 when this PgBouncer version has no such column or leaves it empty. */
    static long number(Map<String, String> row, String column) {
        String v = row.get(column);
        if (v == null || v.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
