package dev.pgbox.top;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.cluster.Server;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * {@code pgbox top}: samples the server every interval and redraws the full screen until {@code q}
 * (Ctrl-C also ends it; the terminal is restored either way).
 */
public final class Top {
    private final Server server;

    public Top(Server server) {
        this.server = server;
    }

    /** One snapshot, for --once and when standard output is not a terminal. */
    public TopSnapshot once() {
        return new TopSource(server).sample();
    }

    /** The live view on this terminal; returns when the user quits. */
    public void live(PrintWriter out, Duration interval) {
        if (interval.toMillis() < 100) {
            throw new PgboxException(ErrorKind.USAGE, "--interval is too short", interval.toMillis() + " ms",
                    "use e.g. --interval 2 (seconds) or --interval 500ms");
        }
        TopSource source = new TopSource(server);
        String footer = "q quits, refresh every " + seconds(interval);
        try (Terminal t = Terminal.open(out)) {
            while (true) {
                int[] size = t.size();
                t.draw(Screen.lines(source.sample(), size[1], size[0], footer));
                long next = System.nanoTime() + interval.toNanos();
                while (System.nanoTime() < next) {
                    int k = t.key(Duration.ofNanos(next - System.nanoTime()));
                    if (k == 'q' || k == 'Q') {
                        return;
                    }
                }
            }
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
