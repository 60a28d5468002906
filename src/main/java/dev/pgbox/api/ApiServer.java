package dev.pgbox.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pgbox.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The agent's HTTP API on 127.0.0.1 (the JDK's HTTP server, a small fixed pool of daemon threads).
 * Every call under /v1 needs {@code Authorization: Bearer PGBOX_API_TOKEN}, compared in constant
 * time; only GET /v1/openapi.json is open (the description holds no data, and tools fetch it to
 * build clients). Bodies are JSON, at most {@link #MAX_BODY} bytes; every answer is JSON, errors
 * as {@code {"error": {"code", "message", "cause", "fix"}}}. The token is never echoed or logged.
 */
public final class ApiServer {
    public static final String PREFIX = "/v1";
    public static final String OPENAPI = PREFIX + "/openapi.json";
    /** The largest request body: about 500 memories with 1536-d vectors. */
    public static final int MAX_BODY = 8 * 1024 * 1024;
    /** The report models' JSON (snake_case, nulls left out), compact: answers are read by programs. */
    private static final ObjectWriter WRITER = Json.REPORTS.writer().without(SerializationFeature.INDENT_OUTPUT);

    private final HttpServer http;
    private final ExecutorService threads;

    private ApiServer(HttpServer http, ExecutorService threads) {
        this.http = http;
        this.threads = threads;
    }

    /** The API's base URL for a port. */
    public static String url(int port) {
        return "http://127.0.0.1:" + port + PREFIX;
    }

    /** Starts serving {@code routes} on 127.0.0.1:port; throws IOException (BindException) when the port is taken. */
    static ApiServer start(int port, String token, int threadCount, List<Route> routes, Consumer<String> log) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        OpenApi openApi = new OpenApi(port);
        byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        http.createContext("/", ex -> handle(ex, expected, routes, openApi, log));
        AtomicInteger n = new AtomicInteger();
        // a few daemon threads: calls are short, more wait in the backlog, and the agent's exit ends them
        ExecutorService threads = Executors.newFixedThreadPool(Math.max(1, threadCount), r -> {
            Thread t = new Thread(r, "api-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(threads);
        http.start();
        return new ApiServer(http, threads);
    }

    private static void handle(HttpExchange ex, byte[] expected, List<Route> routes, OpenApi openApi, Consumer<String> log) {
        String method = ex.getRequestMethod();
        String rawPath = ex.getRequestURI().getRawPath();
        try (ex) {
            try {
                if (rawPath.equals(OPENAPI)) {
                    if (!method.equals("GET")) {
                        ex.getResponseHeaders().set("Allow", "GET");
                        throw new ApiException(405, "method_not_allowed", method + " " + OPENAPI + " is not served", "use GET");
                    }
                    send(ex, 200, openApi.text());
                    return;
                }
                if (!rawPath.equals(PREFIX) && !rawPath.startsWith(PREFIX + "/")) {
                    throw new ApiException(404, "not_found", "no route " + rawPath, "the API lives under " + PREFIX
                            + " (its description: GET " + OPENAPI + ")");
                }
                if (!authorized(ex, expected)) {
                    ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"pgbox\"");
                    throw new ApiException(401, "unauthorized", "a valid bearer token is required",
                            "send 'Authorization: Bearer TOKEN' with PGBOX_API_TOKEN from the project's .env.secrets");
                }
                List<String> segments = decode(Route.split(rawPath));
                Route route = null;
                Map<String, String> params = null;
                List<String> allowed = new ArrayList<>();
                for (Route r : routes) {
                    Map<String, String> p = r.match(segments);
                    if (p != null) {
                        allowed.add(r.method());
                        if (r.method().equals(method)) {
                            route = r;
                            params = p;
                        }
                    }
                }
                if (allowed.isEmpty()) {
                    throw new ApiException(404, "not_found", "no route " + rawPath, "see GET " + OPENAPI + " for the routes");
                }
                if (route == null) {
                    ex.getResponseHeaders().set("Allow", String.join(", ", allowed));
                    throw new ApiException(405, "method_not_allowed", method + " is not served on " + rawPath,
                            "use " + String.join(" or ", allowed));
                }
                Call call = new Call(params, query(ex.getRequestURI().getRawQuery()), new Body(body(ex)));
                send(ex, route.status(), json(route.handler().handle(call)));
            } catch (RuntimeException | Error e) {
                ApiError error = ApiError.of(e);
                if (error.status() >= 500) {
                    log.accept("api: " + method + " " + rawPath + ": " + error.status() + " " + error.error().message()
                            + (error.error().cause() == null ? "" : " (" + error.error().cause().replace('\n', ' ') + ")"));
                }
                send(ex, error.status(), json(Map.of("error", error.error())));
            }
        } catch (IOException e) {
            // the client went away; nothing to answer
        }
    }

    /** Constant time for tokens of the right length: no timing tells how much of a guess was right. */
    private static boolean authorized(HttpExchange ex, byte[] expected) {
        String given = ex.getRequestHeaders().getFirst("Authorization");
        if (given == null) {
            return false;
        }
        if (given.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = "Bearer " + given.substring(7).strip();
        }
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected);
    }

    /** The body, refused with 413 beyond {@link #MAX_BODY} (by its Content-Length before reading, else while reading). */
    private static byte[] body(HttpExchange ex) throws IOException {
        long declared = -1;
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                declared = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("bad_request", "Content-Length is not a number", "send a valid request");
            }
        }
        try (InputStream in = ex.getRequestBody()) {
            byte[] bytes = declared > MAX_BODY ? null : in.readNBytes(MAX_BODY + 1);
            if (bytes == null || bytes.length > MAX_BODY) {
                drain(in);
                ex.getResponseHeaders().set("Connection", "close");
                throw tooLarge();
            }
            return bytes;
        }
    }

    /**
     * Reads what is left of a refused body (up to a bound): a connection closed with unread bytes is
     * reset, and the client would lose the 413 answer with it.
     */
    private static void drain(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = 8L * MAX_BODY;
        for (int n; left > 0 && (n = in.read(buffer)) >= 0; ) {
            left -= n;
        }
    }

    private static ApiException tooLarge() {
        return new ApiException(413, "too_large", "the request body is larger than " + MAX_BODY / (1024 * 1024) + " MB",
                "send fewer memories per call, or load a file with 'pgbox memory import'");
    }

    /** Path segments with %XX decoded ('+' stays a plus in a path). */
    private static List<String> decode(List<String> raw) {
        List<String> out = new ArrayList<>(raw.size());
        for (String s : raw) {
            out.add(percentDecode(s));
        }
        return out;
    }

    private static String percentDecode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("bad_request", "the URL holds a broken %-escape", "encode the URL's parts properly");
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("bad_request", "the query string holds a broken %-escape", "encode the URL's parts properly");
            }
        }
        return out;
    }

    private static String json(Object model) {
        try {
            return WRITER.writeValueAsString(model) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a model does not serialize: " + e.getOriginalMessage(), e);
        }
    }

    private static void send(HttpExchange ex, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(bytes);
        }
    }

    /** Stops serving (calls under way get a second to finish). */
    public void stop() {
        http.stop(1);
        threads.shutdownNow();
    }
}
