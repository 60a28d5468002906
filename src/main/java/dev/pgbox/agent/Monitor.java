package dev.pgbox.agent;

import dev.pgbox.alerts.Alerts;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.monitor.Doctor;
import dev.pgbox.monitor.DoctorReport;
import dev.pgbox.monitor.Metrics;
import java.util.function.Consumer;

/**
 * The agent's watching thread: collects metrics every PGBOX_METRICS_INTERVAL and runs the doctor every
 * PGBOX_DOCTOR_INTERVAL, handing its report to the metrics and the alerts. Read-only work, so it runs
 * beside the jobs without the project lock; a failed round is logged and the next one runs as planned.
 */
final class Monitor {
    private final Server server;
    private final Consumer<String> say;
    private final Metrics metrics;
    private final Alerts alerts;

    Monitor(Server server, Consumer<String> say) {
        this.server = server;
        this.say = say;
        this.metrics = new Metrics(server, say);
        this.alerts = new Alerts(server, say);
    }

    /** Starts the thread (a daemon: the agent's exit ends it). */
    void start() {
        Settings s = server.settings();
        long metricsEvery = s.millis(Setting.PGBOX_METRICS_INTERVAL);
        long doctorEvery = s.millis(Setting.PGBOX_DOCTOR_INTERVAL);
        if (metricsEvery <= 0 && doctorEvery <= 0) {
            say.accept("monitor off: PGBOX_METRICS_INTERVAL and PGBOX_DOCTOR_INTERVAL are 0");
            return;
        }
        metrics.start();
        Thread t = new Thread(() -> loop(metricsEvery, doctorEvery), "monitor");
        t.setDaemon(true);
        t.start();
        say.accept("monitor on: metrics every " + metricsEvery + "ms, doctor every " + doctorEvery + "ms");
    }

    private void loop(long metricsEvery, long doctorEvery) {
        long nextMetrics = System.nanoTime();
        long nextDoctor = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            if (metricsEvery > 0 && now - nextMetrics >= 0) {
                nextMetrics = now + metricsEvery * 1_000_000;
                guarded("metrics", metrics::collect);
            }
            if (doctorEvery > 0 && now - nextDoctor >= 0) {
                nextDoctor = now + doctorEvery * 1_000_000;
                guarded("doctor", () -> {
                    DoctorReport r = new Doctor(server).run(null);
                    metrics.doctor(r);
                    alerts.evaluate(r);
                });
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                metrics.stop();
                return;
            }
        }
    }

    private void guarded(String what, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            say.accept(what + ": FAILED: " + e.getMessage());
        }
    }
}
