package dev.pgbox.exec;

import java.time.Duration;

/** What a finished program left behind: exit code, captured output and how long it took. */
public record ProcessResult(Command command, int exitCode, String stdout, String stderr, Duration elapsed) {

    public boolean ok() {
        return exitCode == 0;
    }

    /** The last {@code lines} non-blank lines of stderr, else of stdout: the usual place of the cause. */
    public String tail(int lines) {
        String source = stderr.isBlank() ? stdout : stderr;
        String[] all = source.strip().split("\n");
        int from = Math.max(0, all.length - lines);
        return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length)).strip();
    }
}
