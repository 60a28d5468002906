package dev.pgbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Vector searches through the agent's HTTP API: {@code POST /v1/apps/APP/collections/C/search} with
 * {"vector": [...], "mode": "vector", "limit": 10} and the bearer token. Each client has its own
 * HttpClient (its own keep-alive connection), like each JDBC client has its own connection.
 */
final class ApiSearch {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI uri;
    private final String token;
    private final String[] bodies;

    ApiSearch(String baseUrl, String app, String collection, String token, String[] vectorLiterals) {
        this.uri = URI.create(baseUrl + "/v1/apps/" + app + "/collections/" + collection + "/search");
        this.token = token;
        // pgvector's text form [a,b,...] is already a JSON array of numbers
        this.bodies = new String[vectorLiterals.length];
        for (int i = 0; i < vectorLiterals.length; i++) {
            bodies[i] = "{\"vector\":" + vectorLiterals[i] + ",\"mode\":\"vector\",\"limit\":" + VectorSetup.K + "}";
        }
    }

    String uri() {
        return uri.toString();
    }

    static HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    HttpResponse<String> send(HttpClient http, int i) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(bodies[i])).build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    /** The hits' cosine distances of query {@code i}, or an exception naming the status and body. */
    double[] distances(HttpClient http, int i) throws IOException, InterruptedException {
        HttpResponse<String> r = send(http, i);
        if (r.statusCode() != 200) {
            String body = r.body().replace('\n', ' ');
            throw new IOException("HTTP " + r.statusCode() + ": " + (body.length() > 300 ? body.substring(0, 300) + "..." : body));
        }
        JsonNode hits = JSON.readTree(r.body()).path("hits");
        List<Double> d = new ArrayList<>();
        for (JsonNode h : hits) {
            d.add(h.path("distance").asDouble(Double.NaN));
        }
        return d.stream().mapToDouble(Double::doubleValue).toArray();
    }

    QueryLoad.Clients clients() {
        return () -> {
            HttpClient http = newClient();
            return new QueryLoad.Client() {
                @Override
                public void search(int i) throws IOException, InterruptedException {
                    HttpResponse<String> r = send(http, i);
                    if (r.statusCode() != 200) {
                        throw new IOException("HTTP " + r.statusCode() + " from " + uri + ": " + r.body());
                    }
                    JSON.readTree(r.body()); // a client reads the answer
                }

                @Override
                public void close() {
                    // HttpClient has no close() in Java 17; its connections go with it
                }
            };
        };
    }
}
