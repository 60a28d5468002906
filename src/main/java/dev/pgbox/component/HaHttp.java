package dev.pgbox.component;

import dev.pgbox.cluster.HttpCall;
import java.time.Duration;
import java.util.Optional;

/** {@link HttpCall} for the HA components' health checks and configuration: empty when nothing answers. */
final class HaHttp {
    private HaHttp() {
    }

    static Optional<HttpCall.Answer> get(String url) {
        return answered(HttpCall.get(url, Duration.ofSeconds(3)));
    }

    static Optional<HttpCall.Answer> send(String method, String url, String json, String user, String password) {
        return answered(HttpCall.send(method, url, json, user, password, Duration.ofSeconds(10)));
    }

    private static Optional<HttpCall.Answer> answered(HttpCall.Answer a) {
        return a.answered() ? Optional.of(a) : Optional.empty();
    }
}
