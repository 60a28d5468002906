package dev.pgbox.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a running server says about itself, for status: read in one superuser query (plus one for the
 * extensions of the main database).
 *
 * @param startedAt the postmaster's start time, as PostgreSQL prints it in JSON
 */
public record LiveFacts(String version, String startedAt, long uptimeSeconds, int connections, int maxConnections,
                        String database, long databaseBytes, boolean inRecovery, String ssl, String listenAddresses,
                        List<Extension> extensions) {

    /** An installed extension of the main database (plpgsql left out). */
    public record Extension(String name, String version) {
    }

    /** Reads the facts of {@code instance}, whose main database is {@code database}. */
    public static LiveFacts read(Instance instance, String database) {
        String json = instance.admin().value("postgres", """
                SELECT json_build_object(
                  'version', current_setting('server_version'),
                  'started_at', pg_postmaster_start_time(),
                  'uptime_seconds', floor(extract(epoch FROM now() - pg_postmaster_start_time())),
                  'connections', (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
                  'max_connections', current_setting('max_connections')::int,
                  'database_bytes', (SELECT pg_database_size(datname) FROM pg_database WHERE datname = $1),
                  'in_recovery', pg_is_in_recovery(),
                  'ssl', current_setting('ssl'),
                  'listen_addresses', current_setting('listen_addresses'))
                """, database);
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.FAILURE, "cannot read the server status", e.getMessage(), null);
        }
        List<Extension> extensions = new ArrayList<>();
        for (List<String> row : instance.admin().rows(database,
                "SELECT extname, extversion FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY extname")) {
            extensions.add(new Extension(row.get(0), row.get(1)));
        }
        return new LiveFacts(n.path("version").asText(), n.path("started_at").asText(), n.path("uptime_seconds").asLong(),
                n.path("connections").asInt(), n.path("max_connections").asInt(), database, n.path("database_bytes").asLong(),
                n.path("in_recovery").asBoolean(), n.path("ssl").asText(), n.path("listen_addresses").asText(), List.copyOf(extensions));
    }
}
