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
