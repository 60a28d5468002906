package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.Json;
import dev.pgbox.PgboxException;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Durations;
import dev.pgbox.top.Screen;
import dev.pgbox.top.Terminal;
import dev.pgbox.top.Top;
import dev.pgbox.top.TopSnapshot;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "top", mixinStandardHelpOptions = true,
        description = {"A live view of the server's sessions, like pg_activity.",
                "Header: version, uptime, connections used/max, transactions and commits",
                "per second, cache hit ratio. Then every session that is not idle (pid,",
                "database, user, state, wait event, duration, query cut at the terminal's",
                "width), longest running first, redrawn every --interval. q quits (Ctrl-C",
                "too; the terminal is restored either way). Works in tmux and screen. When",
                "standard output is not a terminal it prints one snapshot, as --once does."})
final class TopCommand extends BaseCommand implements Callable<Integer> {
    @Option(names = "--interval", paramLabel = "TIME", defaultValue = "2s",
            description = "Time between refreshes: 2 (seconds), 2s, 500ms (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--once", description = "Print one snapshot without terminal control (rates need two samples: shown as -).")
    boolean once;

    @Option(names = "--json", description = "With --once: print the snapshot as JSON.")
    boolean json;

    @Override
    public Integer call() {
        Duration every = parse(interval);
        Top top = new Top(Server.open(settings()));
        boolean terminal = Terminal.interactive();
        if (json && !once && terminal) {
            throw new PgboxException(ErrorKind.USAGE, "--json needs --once", "the live view is not JSON",
                    "pgbox top --once --json");
        }
        if (!once && terminal) {
            top.live(out(), every);
            return 0;
        }
        if (!once && !json) {
            err().println("standard output is not a terminal: printing one snapshot (as --once)");
        }
        TopSnapshot s = top.once();
        if (json) {
            out().println(Json.render(s));
        } else {
            int width = Math.max(80, envInt("COLUMNS", 250));
            Screen.lines(s, width, Integer.MAX_VALUE, null).forEach(out()::println);
        }
        return 0;
    }

    private static int envInt(String name, int fallback) {
        try {
            return Integer.parseInt(System.getenv().getOrDefault(name, ""));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    static Duration parse(String text) {
        Long ms = text.strip().matches("\\d{1,6}") ? Long.valueOf(Long.parseLong(text.strip()) * 1000) : Durations.parseMillis(text);
        if (ms == null || ms < 100) {
            throw new PgboxException(ErrorKind.USAGE, "invalid --interval " + text, "expected a time of at least 100ms",
                    "e.g. --interval 2 (seconds), 2s or 500ms");
        }
        return Duration.ofMillis(ms);
    }
}
