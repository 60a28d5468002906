package dev.pgbox.component;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** One short GET to an HA process's HTTP endpoint (etcd's /health, Patroni's REST API), for health checks. */
final class HaHttp {
    private HaHttp() {
    }

    /** The status and body, or empty when nothing answers within a few seconds. */
    record Answer(int status, String body) {
    }

    /**
     * One call with a JSON body and Patroni's REST API credentials (basic auth; the password goes in a
     * header, never a URL or log), or empty when nothing answers.
     */
    static Optional<Answer> send(String method, String url, String json, String user, String password) {
        try {
            String basic = java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            HttpRequest r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .header("Authorization", "Basic " + basic).method(method, HttpRequest.BodyPublishers.ofString(json)).build();
            HttpResponse<String> a = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build().send(r, HttpResponse.BodyHandlers.ofString());
            return Optional.of(new Answer(a.statusCode(), a.body()));
        } catch (java.io.IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    static Optional<Answer> get(String url) {
        try {
            HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            return Optional.of(new Answer(r.statusCode(), r.body()));
        } catch (java.io.IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
