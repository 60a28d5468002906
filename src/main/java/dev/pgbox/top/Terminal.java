package dev.pgbox.top;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessResult;
import dev.pgbox.exec.ProcessRunner;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The controlling terminal for a full-screen view: stty on /dev/tty for the mode (keys arrive one at a
 * time without echo; Ctrl-C still interrupts), ANSI escapes for the alternate screen, and the saved
 * {@code stty -g} state put back on {@link #close} (also from a shutdown hook when Ctrl-C ends the JVM).
 * Works in any VT100-compatible terminal, tmux and screen included.
 */
public final class Terminal implements AutoCloseable {
    static final String TTY = "/dev/tty";
    static final String ALTERNATE_ON = "\u001b[?1049h\u001b[?25l";
    static final String ALTERNATE_OFF = "\u001b[?25h\u001b[?1049l";
    static final String HOME = "\u001b[H";
    static final String CLEAR_LINE = "\u001b[K";
    static final String CLEAR_BELOW = "\u001b[J";

    private final PrintWriter out;
    private final String saved;
    private final InputStream keys;
    private final Thread restoreOnExit;
    private boolean closed;

    private Terminal(PrintWriter out, String saved, InputStream keys) {
        this.out = out;
        this.saved = saved;
        this.keys = keys;
        this.restoreOnExit = new Thread(this::restore, "pgbox-top-restore");
    }

    /** Whether standard input and output are a terminal (else a full-screen view makes no sense). */
    public static boolean interactive() {
        return System.console() != null && Files.isReadable(Path.of(TTY));
    }

    /** Saves the terminal's mode, switches to single-key input without echo and to the alternate screen. */
    public static Terminal open(PrintWriter out) {
        String saved = stty("-g").strip();
        InputStream keys;
        try {
            keys = new FileInputStream(TTY);
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.FAILURE, "cannot read keys from " + TTY, e.getMessage(), "run pgbox top in a terminal");
        }
        Terminal t = new Terminal(out, saved, keys);
        Runtime.getRuntime().addShutdownHook(t.restoreOnExit);
        // min 0 time 1: a read returns after at most 0.1 s with or without a key, so the view keeps refreshing
        stty("-icanon", "-echo", "min", "0", "time", "1");
        out.print(ALTERNATE_ON);
        out.flush();
        return t;
    }

    /** Rows and columns of the terminal: stty size, else LINES/COLUMNS, else 24 x 80. */
    public int[] size() {
        try {
            String[] rc = stty("size").strip().split(" ");
            int rows = Integer.parseInt(rc[0]);
            int cols = Integer.parseInt(rc[1]);
            if (rows > 0 && cols > 0) {
                return new int[] {rows, cols};
            }
        } catch (RuntimeException e) {
            // fall back to the environment
        }
        return new int[] {envInt("LINES", 24), envInt("COLUMNS", 80)};
    }

    /** Draws the lines from the top left corner, clearing what the previous frame left. */
    public void draw(java.util.List<String> lines) {
        StringBuilder sb = new StringBuilder(HOME);
        for (int i = 0; i < lines.size(); i++) {
            sb.append(lines.get(i)).append(CLEAR_LINE);
            if (i < lines.size() - 1) {
                sb.append("\r\n");
            }
        }
        sb.append(CLEAR_BELOW);
        out.print(sb);
        out.flush();
    }

    /** The next key pressed within {@code wait}, or -1 when none. */
    public int key(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            do {
                int k = keys.read(); // returns -1 after 0.1 s without a key (min 0 time 1)
                if (k >= 0) {
                    return k;
                }
            } while (System.nanoTime() < deadline);
        } catch (IOException e) {
            sleep(wait);
        }
        return -1;
    }

    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(restoreOnExit);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs restore, which is idempotent
        }
        try {
            keys.close();
        } catch (IOException e) {
            // nothing left to do with it
        }
    }

    private synchronized void restore() {
        if (closed) {
            return;
        }
        closed = true;
        out.print(ALTERNATE_OFF);
        out.flush();
        stty(saved);
    }

    static int envInt(String name, int fallback) {
        try {
            return Integer.parseInt(System.getenv().getOrDefault(name, ""));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String stty(String... args) {
        String program = Files.isExecutable(Path.of("/usr/bin/stty")) ? "/usr/bin/stty" : "/bin/stty";
        Command c = Command.of(program, "-F", TTY).args(args).timeout(Duration.ofSeconds(5)).build();
        ProcessResult r = ProcessRunner.run(c);
        if (!r.ok()) {
            throw new PgboxException(ErrorKind.TOOL_FAILED, "cannot set up the terminal with stty", r.tail(1),
                    "run pgbox top in a terminal, or use --once");
        }
        return r.stdout();
    }
}
