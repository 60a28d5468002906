package dev.pgbox.agent;

import dev.pgbox.cluster.Layout;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Starts, finds and stops the agent process of a project (PID file in the run dir, log in the log dir). */
public final class AgentProcess {
    private AgentProcess() {
    }

    public static Path pidFile(Layout l) {
        return l.runDir().resolve("agent.pid");
    }

    public static Path logFile(Layout l) {
        return l.logDir().resolve("agent.log");
    }

    /** The agent's PID when it runs. */
    public static OptionalLong running(Layout l) {
        try {
            if (!Files.exists(pidFile(l))) {
                return OptionalLong.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile(l)).strip());
            boolean alive = ProcessHandle.of(pid).map(h -> h.isAlive() && h.info().commandLine().orElse("").contains(" agent")).orElse(false);
            return alive ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Starts the agent unless it runs or PGBOX_AGENT=off; returns its PID, or -1. */
    public static long ensureStarted(Settings s, Layout l) {
        if (!"on".equals(s.get(Setting.PGBOX_AGENT))) {
            return -1;
        }
        OptionalLong pid = running(l);
        if (pid.isPresent()) {
            return pid.getAsLong();
        }
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Command c = Command.of(java, "-XX:+UseSerialGC", "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.pgbox.Main",
                "--project", s.projectDir().toString()).args(s.envName().equals("dev") ? new String[0] : new String[] {"--env", s.envName()})
                .args("agent").build();
        long started = ProcessRunner.spawnDetached(c, logFile(l));
        // the agent writes its own PID file; wait briefly so status and stop see it
        for (int i = 0; i < 50 && running(l).isEmpty(); i++) {
            sleep(100);
        }
        return started;
    }

    /** Stops the agent (SIGTERM, then SIGKILL after 10 s); true if one was running. */
    public static boolean stop(Layout l) {
        OptionalLong pid = running(l);
        try {
            Files.deleteIfExists(pidFile(l));
        } catch (IOException e) {
            // the signal below stops it anyway
        }
        if (pid.isEmpty()) {
            return false;
        }
        ProcessHandle.of(pid.getAsLong()).ifPresent(h -> {
            h.destroy();
            for (int i = 0; i < 100 && h.isAlive(); i++) {
                sleep(100);
            }
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        });
        return true;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
