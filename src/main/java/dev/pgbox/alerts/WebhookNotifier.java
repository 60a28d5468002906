package dev.pgbox.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * POSTs alerts as JSON to PGBOX_ALERT_WEBHOOK_URL. The URL carries the receiver's token, so it is never
 * printed or logged: only its host. Plain http only to a loopback receiver (elsewhere the token would
 * travel in clear text); redirects are not followed (they could carry the body elsewhere).
 */
public final class WebhookNotifier implements Notifier {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectMapper BODY = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL));

    private final URI uri;
    private final String format;
    /** One client for the notifier's life (the agent's): each would otherwise keep its own selector thread for a while. */
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private WebhookNotifier(URI uri, String format) {
        this.uri = uri;
        this.format = format;
    }

    /** Checks the URL and resolves the format (auto: by host); the URL itself never appears in an error. */
    public static WebhookNotifier of(String url, String format) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw invalid("it is not a valid URL");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (u.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw invalid("it must be an https:// URL");
        }
        if (scheme.equals("http") && !loopback(u.getHost())) {
            throw invalid("plain http:// is only allowed to a loopback receiver (127.0.0.1, ::1, localhost): the URL's token "
                    + "would travel in clear text to " + u.getHost());
        }
        return new WebhookNotifier(u, format.equals("auto") ? formatFor(u.getHost()) : format);
    }

    private static PgboxException invalid(String why) {
        return new PgboxException(ErrorKind.CONFIG, "PGBOX_ALERT_WEBHOOK_URL is not usable", why,
                "set PGBOX_ALERT_WEBHOOK_URL in .env.secrets to the https:// URL your chat or receiver gave you");
    }

    /** The body the host expects: Slack and Discord get their own; any other receiver gets every field. */
    static String formatFor(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("hooks.slack.com") || h.endsWith(".slack.com")) {
            return "slack";
        }
        if (h.equals("discord.com") || h.endsWith(".discord.com") || h.equals("discordapp.com") || h.endsWith(".discordapp.com")) {
            return "discord";
        }
        return "json";
    }

    static boolean loopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equals("localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false; // a name is not resolved here: only literal loopback addresses count
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    public String format() {
        return format;
    }

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public String target() {
        return uri.getHost() + " (" + format + ")";
    }

    /** The exact JSON this notifier POSTs for a message. */
    public String body(Message m) {
        try {
            return BODY.writeValueAsString(m.webhookBody(format));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an alert does not serialize: " + e.getMessage(), e);
        }
    }

    @Override
    public void send(Message m) throws NotifyException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("Content-Type", "application/json")
                .header("User-Agent", "pgbox-alerts").POST(HttpRequest.BodyPublishers.ofString(body(m), StandardCharsets.UTF_8)).build();
        HttpResponse<String> r;
        try {
            r = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new NotifyException("cannot reach " + uri.getHost() + ": " + scrub(e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotifyException("interrupted while sending to " + uri.getHost());
        }
        if (r.statusCode() / 100 != 2) {
            String said = r.body() == null ? "" : r.body().strip();
            throw new NotifyException(uri.getHost() + " answered HTTP " + r.statusCode()
                    + (said.isEmpty() ? "" : ": " + scrub(said.length() > 200 ? said.substring(0, 200) + "…" : said)));
        }
    }

    /** Removes the URL and its path (the token) from a text that may quote them. */
    private String scrub(String text) {
        String t = text.replace(uri.toString(), uri.getHost());
        String path = uri.getRawPath();
        if (path != null && path.length() > 1) {
            t = t.replace(path, "/…");
        }
        String query = uri.getRawQuery();
        return query == null ? t : t.replace(query, "…");
    }
}
