package dev.pgbox.monitor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The /metrics endpoint on 127.0.0.1 (the JDK's HTTP server: no dependency). It only renders the
 * latest collection the agent holds in memory, so a scrape never reaches the database and a slow or
 * stopped server never slows a scrape. Every other path answers 404.
 */
public final class MetricsServer {
    public static final String PATH = "/metrics";

    private final HttpServer http;

    private MetricsServer(HttpServer http) {
        this.http = http;
    }

    /** The endpoint's URL for a port. */
    public static String url(int port) {
        return "http://127.0.0.1:" + port + PATH;
    }

    /** Starts serving {@code body} on 127.0.0.1:port; throws IOException (BindException) when the port is taken. */
    public static MetricsServer start(int port, Supplier<String> body) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        http.createContext("/", ex -> handle(ex, body));
        // one thread: scrapes are rare and cheap, and a daemon thread never keeps the agent alive
        http.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        }));
        http.start();
        return new MetricsServer(http);
    }

    private static void handle(HttpExchange ex, Supplier<String> body) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (!PATH.equals(path)) {
                send(ex, 404, "text/plain; charset=utf-8", "not found: the agent serves only " + PATH + "\n", method);
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "only GET and HEAD\n", method);
            } else {
                send(ex, 200, MetricsText.CONTENT_TYPE, body.get(), method);
            }
        }
    }

    private static void send(HttpExchange ex, int code, String type, String text, String method) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        if (method.equals("HEAD")) {
            ex.sendResponseHeaders(code, -1);
            return;
        }
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(bytes);
        }
    }

    public void stop() {
        http.stop(0);
    }
}
