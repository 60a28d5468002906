package dev.pgbox.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The crash log in the log dir: one line per postmaster that died without a clean stop, written by
 * whoever brought it back (systemd's ExecStopPost, the agent's watchdog, or 'pgbox start').
 * Format: {@code <epoch seconds> <who> <detail>}.
 */
public final class CrashLog {
    /** What status shows: how many crashes, and the last one. */
    public record Summary(int count, Optional<Instant> last, String lastBy) {
    }

    private CrashLog() {
    }

    /** Creates the log owned by the OS user, so systemd's ExecStopPost (run as that user) can append. */
    public static void ensure(Layout l) {
        if (!Files.exists(l.crashLog())) {
            OwnedFiles.write(l.crashLog(), "", l.osUser(), "rw-r-----");
        }
    }

    public static void record(Layout l, String who, String detail) {
        ensure(l);
        String line = Instant.now().getEpochSecond() + " " + who + " " + detail.replace('\n', ' ') + "\n";
        try {
            Files.writeString(l.crashLog(), line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the restart matters more than its record
        }
    }

    public static Summary read(Layout l) {
        List<String> lines;
        try {
            lines = Files.exists(l.crashLog()) ? Files.readAllLines(l.crashLog()) : List.of();
        } catch (IOException e) {
            lines = List.of();
        }
        return summarize(lines);
    }

    static Summary summarize(List<String> lines) {
        List<String[]> valid = lines.stream().map(s -> s.strip().split(" ", 3))
                .filter(f -> f.length >= 2 && f[0].matches("\\d{1,12}")).toList();
        if (valid.isEmpty()) {
            return new Summary(0, Optional.empty(), "");
        }
        String[] last = valid.get(valid.size() - 1);
        return new Summary(valid.size(), Optional.of(Instant.ofEpochSecond(Long.parseLong(last[0]))), last[1]);
    }
}
