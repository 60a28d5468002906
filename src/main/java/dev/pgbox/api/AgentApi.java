package dev.pgbox.api;

import dev.pgbox.PgboxException;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.memory.Memories;
import dev.pgbox.memory.PooledSessions;
import java.io.IOException;
import java.net.BindException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The HTTP API as the agent runs it: {@link ApiServer} on 127.0.0.1:PGBOX_API_PORT serving the memory
 * routes through a {@link Memories} service on pooled sessions. An empty PGBOX_API_TOKEN keeps it off;
 * a taken port is logged and the agent runs on without it. {@link #close()} stops it and closes the pools.
 */
public final class AgentApi implements AutoCloseable {
    private final ApiServer http;
    private final PooledSessions sessions;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AgentApi(ApiServer http, PooledSessions sessions) {
        this.http = http;
        this.sessions = sessions;
    }

    /** Whether these settings turn the API on (a token is set). */
    public static boolean serves(Settings s) {
        return s.isSet(Setting.PGBOX_API_TOKEN);
    }

    /** Starts the API for the agent's server; never throws (what went wrong is logged). */
    public static AgentApi start(Server server, Consumer<String> log) {
        Settings s = server.settings();
        if (!serves(s)) {
            log.accept("api: off (PGBOX_API_TOKEN is empty): the HTTP API is not served");
            return new AgentApi(null, null);
        }
        int port = s.integer(Setting.PGBOX_API_PORT);
        // the snapshot the agent started from, read again for passwords set since ('pgbox app create' updates it)
        PooledSessions sessions = new PooledSessions(server, s.integer(Setting.PGBOX_API_POOL_SIZE),
                () -> reload(server, log));
        try {
            ApiServer http = bind(port, s.get(Setting.PGBOX_API_TOKEN), s.integer(Setting.PGBOX_API_THREADS),
                    routes(new Memories(sessions, s)), log);
            log.accept("api: serving " + ApiServer.url(port) + " (bearer token PGBOX_API_TOKEN; description " + ApiServer.url(port)
                    + "/openapi.json)");
            AgentApi api = new AgentApi(http, sessions);
            // 'pgbox stop' ends the agent with SIGTERM: its pooled sessions end cleanly then too
            Runtime.getRuntime().addShutdownHook(new Thread(api::close, "api-close"));
            return api;
        } catch (IOException e) {
            sessions.close();
            String cause = e instanceof BindException ? "port " + port + " is in use by another program (" + e.getMessage() + ")" : e.toString();
            log.accept("api: cannot serve the HTTP API on 127.0.0.1:" + port + ": " + cause
                    + "; the agent runs on without it; fix: set PGBOX_API_PORT to a free port in .env "
                    + "(each project on a box needs its own), then 'pgbox stop' and 'pgbox start'");
            return new AgentApi(null, null);
        }
    }

    /** Every route the API serves (the description, GET /v1/openapi.json, is served beside them). */
    static List<Route> routes(Memories memories) {
        return new ArrayList<>(new MemoryRoutes(memories).routes());
    }

    private static Settings reload(Server server, Consumer<String> log) {
        Settings s = server.settings();
        try {
            return Settings.loadSnapshot(s.projectDir(), s.envName(), server.layout().agentSettings());
        } catch (PgboxException e) {
            log.accept("api: cannot read the settings snapshot again: " + e.getMessage());
            return null;
        }
    }

    /** Binds the port, trying for two seconds: an agent restarted with new settings may follow one still letting go of it. */
    private static ApiServer bind(int port, String token, int threads, List<Route> routes, Consumer<String> log) throws IOException {
        return dev.pgbox.LoopbackBind.retrying(() -> ApiServer.start(port, token, threads, routes, log));
    }

    /** Whether the API is being served. */
    public boolean serving() {
        return http != null;
    }

    /** Stops serving and closes the pools; a second call does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (http != null) {
            http.stop();
        }
        if (sessions != null) {
            sessions.close();
        }
    }
}
