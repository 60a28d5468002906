package dev.pgbox.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * One HTTP request to an HA process on the network: Patroni's REST API or an etcd member's /health. A
 * password travels only in the Authorization header of this process's own request, never in argv, a
 * URL or a log line. Nothing answering (refused, timed out) is an answer with status 0, not an exception:
 * callers report what it means.
 */
public final class HttpCall {
    /** HTTP/1.1 only: no h2c upgrade offered to etcd's mixed gRPC/HTTP port or Patroni's (see EtcdApi). */
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private HttpCall() {
    }

    /** The status and body; status 0 when nothing answered, with why in the body. */
    public record Answer(int status, String body) {
        public boolean answered() {
            return status != 0;
        }
    }

    /** A GET without credentials. */
    public static Answer get(String url, Duration timeout) {
        return send("GET", url, null, null, null, timeout);
    }

    /**
     * One request; {@code json} null for none, {@code user} null for no credentials (basic authentication
     * otherwise, as Patroni's changing calls want).
     */
    public static Answer send(String method, String url, String json, String user, String password, Duration timeout) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
            if (json != null) {
                b.header("Content-Type", "application/json");
            }
            if (user != null && password != null && !password.isEmpty()) {
                b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
            }
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException | IllegalArgumentException e) {
            return new Answer(0, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, "interrupted");
        }
    }
}
