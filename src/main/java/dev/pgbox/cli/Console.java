package dev.pgbox.cli;

import dev.pgbox.Progress;
import java.io.PrintWriter;
import java.util.Locale;

/** Prints progress steps to stderr with the time since the command started, keeping stdout for results. */
final class Console implements Progress {
    private final PrintWriter err;
    private final long started = System.nanoTime();

    Console(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void step(String what) {
        err.printf(Locale.ROOT, "==> %s  [%.1fs]%n", what, (System.nanoTime() - started) / 1e9);
        err.flush();
    }

    @Override
    public void detail(String line) {
        err.println("    " + line);
        err.flush();
    }

    double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }
}
