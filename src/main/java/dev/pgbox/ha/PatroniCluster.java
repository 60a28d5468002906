package dev.pgbox.ha;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.util.ArrayList;
import java.util.List;

/** Reads the answer of Patroni's GET /cluster into {@link HaStatus.Member}s. Pure. */
public final class PatroniCluster {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PatroniCluster() {
    }

    /** The members of a /cluster answer, in Patroni's order (the leader first). */
    public static List<HaStatus.Member> members(String body) {
        JsonNode root = tree(body);
        List<HaStatus.Member> out = new ArrayList<>();
        for (JsonNode m : root.path("members")) {
            String role = m.path("role").asText("unknown");
            out.add(new HaStatus.Member(m.path("name").asText(), role, m.path("state").asText("unknown"), text(m.path("host")),
                    m.path("port").isInt() ? m.path("port").asInt() : null,
                    m.path("timeline").isNumber() ? m.path("timeline").asInt() : null,
                    lag(m), role.equals("sync_standby")));
        }
        return out;
    }

    /** Each member's REST API URL by member name (Patroni's api_url, e.g. http://10.0.0.1:8008/patroni), in Patroni's order. */
    public static java.util.Map<String, String> apiUrls(String body) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (JsonNode m : tree(body).path("members")) {
            if (m.hasNonNull("api_url")) {
                out.put(m.path("name").asText(), m.path("api_url").asText());
            }
        }
        return out;
    }

    /** Bytes behind: Patroni 4 gives replay_lag and receive_lag beside lag; "unknown" (text) when it cannot tell. */
    private static Long lag(JsonNode m) {
        for (String field : List.of("replay_lag", "lag")) {
            if (m.path(field).isIntegralNumber()) {
                return m.path(field).asLong();
            }
        }
        return null;
    }

    private static JsonNode tree(String body) {
        try {
            return JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new PgboxException(ErrorKind.TOOL_FAILED, "Patroni's /cluster answer is not JSON", e.getMessage(),
                    "check that PATRONI_REST_PORT is this member's Patroni REST API");
        }
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? null : n.asText();
    }
}
