package dev.pgbox.monitor;

import dev.pgbox.cluster.Instance;
import java.util.List;

/**
 * What the checks read from a running server, in as few round trips as possible (the agent runs the
 * doctor every minute; over 8 apps it must stay well under 2 s). Plain data: the {@link Checks} are
 * pure functions of it.
 */
public final class Facts {
    private Facts() {
    }

    /** Server-wide facts. */
    public record Server(int connections, int maxConnections, int reservedConnections) {
    }

    public static Server server(Instance instance) {
        List<List<String>> rows = instance.admin().rows("postgres",
                "SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),"
                        + " current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int");
        List<String> r = rows.get(0);
        return new Server(Integer.parseInt(r.get(0)), Integer.parseInt(r.get(1)), Integer.parseInt(r.get(2)));
    }
}
