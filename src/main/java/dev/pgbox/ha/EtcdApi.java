package dev.pgbox.ha;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The few calls pgbox makes to etcd 3.4, through its JSON gateway ({@code POST /v3/...}): read Patroni's
 * keys, list, add and remove etcd members, and a lease's time to live. Each call tries the endpoints in
 * turn and takes the first answer, as an etcd client does. The gateway carries 64-bit numbers as JSON
 * strings and keys and values as base64.
 */
public final class EtcdApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What stands for an etcd error whose answer could not be read (see {@link #call}). */
    static final String REFUSED = "refused the request (etcd's error answer was not readable; right after a member was added "
            + "it refuses another as 'unhealthy cluster' for a few seconds)";
    private final List<String> endpoints;
    /**
     * HTTP/1.1 only: by default Java's client asks a plain-http server to upgrade to HTTP/2 (h2c), and
     * etcd's port, which serves gRPC and the JSON gateway together, then sometimes answers what Java cannot
     * read ("CR expected"; seen once on a booted VM during a join).
     */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    /** One etcd member as the cluster lists it; {@code name} is empty for a member added but not yet started. */
    public record Member(long id, String name, List<String> peerUrls, List<String> clientUrls) {
    }

    /** One key: its value (text) and the lease it is attached to (0: none). */
    public record Kv(String key, String value, long lease) {
    }

    public EtcdApi(List<String> endpoints) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no etcd endpoint");
        }
        this.endpoints = List.copyOf(endpoints);
    }

    public List<String> endpoints() {
        return endpoints;
    }

    /** Every key under {@code prefix}, in key order. */
    public List<Kv> prefix(String prefix) {
        ObjectNode body = JSON.createObjectNode();
        body.put("key", b64(prefix));
        body.put("range_end", b64(rangeEnd(prefix)));
        List<Kv> out = new ArrayList<>();
        for (JsonNode kv : call("/v3/kv/range", body).path("kvs")) {
            out.add(new Kv(unb64(kv.path("key").asText()), unb64(kv.path("value").asText("")), kv.path("lease").asLong(0)));
        }
        return out;
    }

    /** The etcd members. */
    public List<Member> members() {
        return members(call("/v3/cluster/member/list", JSON.createObjectNode()));
    }

    /** Adds a voting member that will listen for peers at {@code peerUrl}; returns the members afterwards (the new one unnamed). */
    public List<Member> add(String peerUrl) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("peerURLs").add(peerUrl);
        return members(call("/v3/cluster/member/add", body));
    }

    /** Removes a member (undoing an add whose member never started). */
    public void remove(long id) {
        ObjectNode body = JSON.createObjectNode();
        body.put("ID", Long.toUnsignedString(id));
        call("/v3/cluster/member/remove", body);
    }

    /** Seconds a lease has left; -1 when it has expired or does not exist. */
    public long ttl(long lease) {
        ObjectNode body = JSON.createObjectNode();
        body.put("ID", Long.toString(lease));
        return call("/v3/lease/timetolive", body).path("TTL").asLong(-1);
    }

    static List<Member> members(JsonNode answer) {
        List<Member> out = new ArrayList<>();
        for (JsonNode m : answer.path("members")) {
            out.add(new Member(Long.parseUnsignedLong(m.path("ID").asText("0")), m.path("name").asText(""), texts(m.path("peerURLs")),
                    texts(m.path("clientURLs"))));
        }
        return out;
    }

    private JsonNode call(String path, JsonNode body) {
        String last = "no endpoint tried";
        for (String endpoint : endpoints) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint + path)).timeout(Duration.ofSeconds(5))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode answer = r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
                if (r.statusCode() == 200) {
                    return answer;
                }
                String error = answer.path("error").asText(answer.path("message").asText(r.body().strip()));
                last = endpoint + " answered " + r.statusCode() + ": " + error;
                if (r.statusCode() < 500) {
                    break; // the request itself was refused: another endpoint would refuse it too
                }
            } catch (IOException e) {
                if (String.valueOf(e.getMessage()).contains("CR expected")) {
                    // etcd's gateway sends its errors chunked with an HTTP trailer (Grpc-Trailer-Content-Type), which
                    // Java's client cannot read: an answer came, a refusal ("unhealthy cluster" when a member was just added)
                    last = endpoint + " " + REFUSED;
                    continue;
                }
                last = endpoint + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                last = "interrupted";
                break;
            }
        }
        throw new PgboxException(ErrorKind.NOT_RUNNING, "etcd did not answer " + path, last,
                "check that a majority of the etcd members run and that ETCD_ENDPOINTS (or --etcd) names them");
    }

    /** The first key after every key that starts with {@code prefix} (etcd's range end for a prefix). Pure. */
    static String rangeEnd(String prefix) {
        byte[] b = prefix.getBytes(StandardCharsets.UTF_8);
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] != (byte) 0xff) {
                b[i]++;
                byte[] end = new byte[i + 1];
                System.arraycopy(b, 0, end, 0, i + 1);
                return new String(end, StandardCharsets.ISO_8859_1);
            }
        }
        return "\0";
    }

    private static String b64(String s) {
        // range ends may hold bytes that are not UTF-8 text: encode them as the single bytes they are
        boolean ascii = s.chars().allMatch(c -> c < 0x80);
        return Base64.getEncoder().encodeToString(s.getBytes(ascii ? StandardCharsets.US_ASCII : StandardCharsets.ISO_8859_1));
    }

    private static String unb64(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
