package dev.pgbox.monitor;

import dev.pgbox.cluster.Server;
import java.util.function.Consumer;

/**
 * The agent's metrics: collected every PGBOX_METRICS_INTERVAL from the server and every app database,
 * a short history kept in pgbox's own schema, served as Prometheus text on 127.0.0.1:PGBOX_METRICS_PORT.
 * (Stub: filled in by the metrics work.)
 */
public final class Metrics {
    private final Server server;
    private final Consumer<String> log;

    public Metrics(Server server, Consumer<String> log) {
        this.server = server;
        this.log = log;
    }

    /** Starts serving /metrics; called once when the agent starts. */
    public void start() {
        log.accept("metrics: not built yet for " + server.layout().stateDir());
    }

    /** One collection round (the server may be down: that is pg_up 0). */
    public void collect() {
    }

    /** The doctor's latest findings, for the pgbox_doctor_findings metric. */
    public void doctor(DoctorReport report) {
    }

    /** Stops serving. */
    public void stop() {
    }
}
