package dev.pgbox.exec;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The only place pgbox starts processes. Reads stdout and stderr concurrently, enforces the
 * command's timeout (killing the whole process tree), switches OS user with runuser when pgbox
 * runs as root, and strips inherited PG* variables so a stray PGHOST cannot redirect a tool.
 */
public final class ProcessRunner {
    /** Output kept per stream; the tail is what error messages need. */
    private static final int MAX_CAPTURE = 4 * 1024 * 1024;
    private static final List<String> RUNUSER = List.of("/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser");

    private ProcessRunner() {
    }

    /** Runs and returns whatever happened; a non-zero exit is not an error here. */
    public static ProcessResult run(Command command) {
        return run(command, null);
    }

    /** Runs, passing each output line (stdout and stderr) to {@code lines} as it arrives. */
    public static ProcessResult run(Command command, Consumer<String> lines) {
        ProcessBuilder pb = builder(command);
        long started = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw cannotStart(command, e);
        }
        StreamReader out = new StreamReader(p.getInputStream(), lines);
        StreamReader err = new StreamReader(p.getErrorStream(), lines);
        out.start();
        err.start();
        writeStdin(p, command.stdin());
        try {
            if (!p.waitFor(command.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                out.join(2000);
                err.join(2000);
                throw new ToolFailedException(command,
                        command.name() + " did not finish within " + ToolFailedException.seconds(command.timeout()),
                        lastLine(err.text(), out.text()),
                        "check the log above; the command was: " + command.display(), ErrorKind.TIMEOUT);
            }
            out.join();
            err.join();
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new PgboxException(ErrorKind.FAILURE, "interrupted while running " + command.name(), null, null);
        }
        return new ProcessResult(command, p.exitValue(), out.text(), err.text(),
                Duration.ofNanos(System.nanoTime() - started));
    }

    /** Runs and throws {@link ToolFailedException} with {@code what} and {@code fix} on a non-zero exit. */
    public static ProcessResult runChecked(Command command, String what, String fix) {
        ProcessResult r = run(command);
        if (!r.ok()) {
            throw new ToolFailedException(r, what, fix);
        }
        return r;
    }

    /** Runs attached to this terminal (for psql shells); returns the exit code. No timeout. */
    public static int runInteractive(Command command) {
        ProcessBuilder pb = builder(command).inheritIO();
        try {
            Process p = pb.start();
            return p.waitFor();
        } catch (IOException e) {
            throw cannotStart(command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /**
     * Starts a program in its own session (setsid) that outlives pgbox: standard input from
     * /dev/null, output appended to {@code log}. Returns its PID; nothing waits for it.
     */
    public static long spawnDetached(Command command, Path log) {
        List<String> argv = new ArrayList<>();
        argv.add(Files.isExecutable(Path.of("/usr/bin/setsid")) ? "/usr/bin/setsid" : "setsid");
        argv.addAll(argv(command));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        pb.environment().putAll(command.env());
        pb.directory(command.workDir() != null ? command.workDir().toFile() : Path.of("/").toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.redirectErrorStream(true);
        try {
            return pb.start().pid();
        } catch (IOException e) {
            throw cannotStart(command, e);
        }
    }

    /** Starts a program to be fed line by line; stderr is merged into its output. */
    public static Session session(Command command) {
        ProcessBuilder pb = builder(command).redirectErrorStream(true);
        try {
            return new Session(command, pb.start());
        } catch (IOException e) {
            throw cannotStart(command, e);
        }
    }

    static List<String> argv(Command command) {
        List<String> argv = new ArrayList<>();
        String target = command.runAs();
        if (target != null && !target.equals(OsUser.currentName())) {
            if (!OsUser.isRoot()) {
                throw new PgboxException(ErrorKind.PERMISSION,
                        "cannot run " + command.name() + " as OS user '" + target + "'",
                        "pgbox runs as '" + OsUser.currentName() + "', and only root can switch users",
                        "run pgbox as root, or as '" + target + "'");
            }
            argv.add(RUNUSER.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse("runuser"));
            argv.add("-u");
            argv.add(target);
            argv.add("--");
        }
        argv.add(command.program());
        argv.addAll(command.args());
        return argv;
    }

    private static ProcessBuilder builder(Command command) {
        ProcessBuilder pb = new ProcessBuilder(argv(command));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("PG"));
        env.putAll(command.env());
        if (command.workDir() != null) {
            pb.directory(command.workDir().toFile());
        } else if (command.runAs() != null) {
            // another user may not be able to enter our working directory (e.g. /root)
            pb.directory(Path.of("/").toFile());
        }
        return pb;
    }

    private static void writeStdin(Process p, byte[] stdin) {
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        } catch (IOException e) {
            // the program exited before reading its input; its exit code tells the story
        }
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static PgboxException cannotStart(Command command, IOException e) {
        return new PgboxException(ErrorKind.INSTALL_REQUIRED, "cannot run " + command.program(),
                e.getMessage(), "run 'pgbox install' (as root) to install what is missing");
    }

    private static String lastLine(String... texts) {
        for (String t : texts) {
            if (!t.isBlank()) {
                String[] lines = t.strip().split("\n");
                return lines[lines.length - 1];
            }
        }
        return "no output";
    }

    /** Drains one stream on its own thread so a full pipe never blocks the child. */
    private static final class StreamReader extends Thread {
        private final InputStream in;
        private final Consumer<String> lines;
        private final StringBuilder text = new StringBuilder();

        StreamReader(InputStream in, Consumer<String> lines) {
            this.in = in;
            this.lines = lines;
            setDaemon(true);
        }

        @Override
        public void run() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (text) {
                        if (text.length() > MAX_CAPTURE) {
                            text.delete(0, text.length() - MAX_CAPTURE / 2);
                        }
                        text.append(line).append('\n');
                    }
                    if (lines != null) {
                        lines.accept(line);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String text() {
            synchronized (text) {
                return text.toString();
            }
        }
    }
}
