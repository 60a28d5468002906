package dev.pgbox.ha;

import dev.pgbox.component.PatroniComponent;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * HTTP to Patroni's REST API and etcd's JSON gateway. The REST API's password (PATRONI_RESTAPI_PASSWORD)
 * travels only in the Authorization header of this process's own requests: never in argv or a log line.
 */
final class PatroniApi {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private PatroniApi() {
    }

    /** An HTTP answer; status 0 when nothing answered (refused, timed out), with why in the body. */
    record Answer(int status, String body) {
        boolean answered() {
            return status != 0;
        }
    }

    /** One GET; with Patroni's credentials when {@code auth} is given. */
    static Answer get(String url, Settings auth, Duration timeout) {
        return send(request(url, auth, timeout).GET().build());
    }

    /** One POST of a JSON body; with Patroni's credentials when {@code auth} is given. */
    static Answer post(String url, String json, Settings auth, Duration timeout) {
        return send(request(url, auth, timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build());
    }

    private static HttpRequest.Builder request(String url, Settings auth, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout);
        if (auth != null && auth.isSet(Setting.PATRONI_RESTAPI_PASSWORD)) {
            String basic = PatroniComponent.RESTAPI_USER + ":" + auth.get(Setting.PATRONI_RESTAPI_PASSWORD);
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
        }
        return b;
    }

    private static Answer send(HttpRequest r) {
        try {
            HttpResponse<String> a = CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
            return new Answer(a.statusCode(), a.body());
        } catch (IOException e) {
            return new Answer(0, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, "interrupted");
        }
    }
}
