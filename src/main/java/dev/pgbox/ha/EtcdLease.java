package dev.pgbox.ha;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * The leader lease as etcd holds it: Patroni's leader key {@code /service/<cluster>/leader} (its
 * value is the leader's member name) is bound to an etcd lease; the lease's time to live is how long
 * the leader may stay leader without renewing it. Read through etcd 3.4's JSON gateway
 * ({@code POST /v3/kv/range}, then {@code POST /v3/lease/timetolive}); the parsing is pure.
 */
final class EtcdLease {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private EtcdLease() {
    }

    /**
     * What the leader key says.
     *
     * @param holder the member name stored in the key
     * @param leaseId etcd's lease id the key is bound to (0: none)
     */
    record LeaderKey(String holder, long leaseId) {
    }

    /** Patroni's leader key for {@code cluster} (its default namespace "service"). */
    static String leaderKey(String cluster) {
        return "/service/" + cluster + "/leader";
    }

    /** The range request body for {@code key}: etcd's gateway takes keys base64-encoded. Pure. */
    static String rangeRequest(String key) {
        return "{\"key\":\"" + Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)) + "\"}";
    }

    /** The time-to-live request for a lease (int64 as a JSON string, as the gateway writes it too). Pure. */
    static String timeToLiveRequest(long leaseId) {
        return "{\"ID\":\"" + leaseId + "\"}";
    }

    /** The leader key out of a range answer; null when the key is absent (no leader). Pure. */
    static LeaderKey parseRange(String body) throws IOException {
        JsonNode kvs = JSON.readTree(body).path("kvs");
        if (!kvs.isArray() || kvs.isEmpty()) {
            return null;
        }
        JsonNode kv = kvs.get(0);
        String holder = new String(Base64.getDecoder().decode(kv.path("value").asText("")), StandardCharsets.UTF_8);
        return new LeaderKey(holder, longOf(kv.path("lease")));
    }

    /** Seconds left from a time-to-live answer; null when the lease has expired or is unknown (TTL -1). Pure. */
    static Long parseTimeToLive(String body) throws IOException {
        JsonNode ttl = JSON.readTree(body).path("TTL");
        if (ttl.isMissingNode()) {
            return null;
        }
        long seconds = longOf(ttl);
        return seconds < 0 ? null : seconds;
    }

    /** int64s come as JSON strings from the gateway (and as numbers from some clients); absent is 0. */
    private static long longOf(JsonNode n) {
        if (n.isNumber()) {
            return n.asLong();
        }
        String t = n.asText("");
        return t.isEmpty() ? 0 : Long.parseLong(t);
    }

    /** The lease read from the first endpoint that answers both calls; null when none does. */
    static Lease read(java.util.List<String> endpoints, String cluster) {
        for (String url : endpoints) {
            PatroniApi.Answer range = PatroniApi.post(url + "/v3/kv/range", rangeRequest(leaderKey(cluster)), null, TIMEOUT);
            if (range.status() != 200) {
                continue;
            }
            try {
                LeaderKey key = parseRange(range.body());
                if (key == null) {
                    return new Lease(null, null);
                }
                if (key.leaseId() == 0) {
                    return new Lease(key.holder(), null);
                }
                PatroniApi.Answer ttl = PatroniApi.post(url + "/v3/lease/timetolive", timeToLiveRequest(key.leaseId()), null, TIMEOUT);
                return new Lease(key.holder(), ttl.status() == 200 ? parseTimeToLive(ttl.body()) : null);
            } catch (IOException | RuntimeException e) {
                // a garbled answer from this endpoint: try the next one
            }
        }
        return null;
    }

    /**
     * The leader lease: who holds the leader key and the seconds left on its lease.
     *
     * @param holder null when there is no leader key (no member is leader)
     * @param secondsLeft null when unknown or expired
     */
    record Lease(String holder, Long secondsLeft) {
    }
}
