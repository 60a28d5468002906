package dev.pgbox.component;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.cluster.AgentSecrets;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.OwnedFiles;
import dev.pgbox.cluster.Supervisor;
import dev.pgbox.cluster.Systemctl;
import dev.pgbox.cluster.SystemdUnits;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessResult;
import dev.pgbox.exec.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Starts, finds and stops the agent of a project. The agent runs as the server's OS user, never as
 * root: under systemd as the project's agent unit, elsewhere as a detached process. It reads its
 * settings from a snapshot 'pgbox start' writes (0600, owned by that user) and runs a copy of the jar
 * in the state dir, since the project folder may be out of that user's reach.
 */
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

    /**
     * Starts the agent unless it runs with the same settings, or PGBOX_AGENT=off; returns its PID, or -1.
     * An agent running with older settings is restarted so that it uses the new ones.
     */
    public static long ensureStarted(Settings s, Layout l) {
        if (!"on".equals(s.get(Setting.PGBOX_AGENT))) {
            stop(l);
            return -1;
        }
        Supervisor supervisor = Supervisor.of(s, l);
        boolean changed = writeSnapshot(s, l, supervisor.kind());
        changed |= copyJar(l);
        OptionalLong pid = running(l);
        if (pid.isPresent() && !changed) {
            return pid.getAsLong();
        }
        if (pid.isPresent()) {
            stop(l);
        }
        // the heap the RAM plan counts for the agent (pgbox plan): 1/8 of RAM, 64 MB to 256 MB
        long heapMb = dev.pgbox.tune.BoxReserve.agentHeapBytes(dev.pgbox.tune.MachineProbe.probe(s, l.dataDir()).ramBytes()) >> 20;
        List<String> args = new ArrayList<>(List.of("-XX:+UseSerialGC", "-Xmx" + heapMb + "m",
                // the JDK's HTTP server writes headers and body apart: without TCP_NODELAY every answer on a kept-alive
                // connection waits out the client's delayed ACK (about 40 ms; the memory bench saw 52 ms per API search)
                "-Dsun.net.httpserver.nodelay=true", "-cp", jarForAgent(l), "dev.pgbox.Main",
                "--project", s.projectDir().toString()));
        if (!s.envName().equals("dev")) {
            args.addAll(List.of("--env", s.envName()));
        }
        args.addAll(List.of("agent", "--settings", l.agentSettings().toString()));
        if (Supervisor.agentUnit(s, supervisor)) {
            String unit = SystemdUnits.agentUnitName(l);
            Systemctl.install(unit, SystemdUnits.renderAgent(l, java(), args, "patroni".equals(supervisor.kind())));
            ProcessResult r = Systemctl.enableAndStart(unit, Duration.ofSeconds(60));
            if (!r.ok()) {
                throw new PgboxException(ErrorKind.TOOL_FAILED, "cannot start the agent unit " + unit, r.tail(3),
                        "read 'journalctl -u " + unit + "'; fix the cause and run 'pgbox start' again");
            }
        } else {
            ProcessRunner.spawnDetached(Command.of(java(), args.toArray(String[]::new)).runAs(l.osUser()).build(), logFile(l));
        }
        // the agent writes its own PID file; wait briefly so status and stop see it
        for (int i = 0; i < 100 && running(l).isEmpty(); i++) {
            sleep(100);
        }
        return running(l).orElse(-1);
    }

    /** Stops the agent (and disables its unit); true if one was running. */
    public static boolean stop(Layout l) {
        OptionalLong pid = running(l);
        String unit = SystemdUnits.agentUnitName(l);
        if (Supervisor.systemdIsInit() && Files.exists(SystemdUnits.UNIT_DIR.resolve(unit))) {
            Systemctl.disableAndStop(unit, Duration.ofSeconds(60));
        }
        pid = pid.isPresent() ? pid : running(l);
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

    /**
     * The settings the agent needs, resolved, with where its server lives spelled out (the agent runs
     * as the OS user, which would otherwise resolve another state dir). Holds the backup secrets and the
     * API token, so 0600 and owned by the OS user; and every app's login password (sorted, at the end):
     * the HTTP API connects as each app's login role, so that the app's grants and row-level security
     * apply to it exactly as to the app. The OS user can read the whole database anyway; the main
     * POSTGRES_PASSWORD stays out (the agent's own SQL goes over the socket).
     */
    public static String snapshot(Settings s, Layout l, String supervisorKind) {
        StringBuilder b = new StringBuilder("# Written by 'pgbox start' for the agent of " + s.projectDir()
                + ". pgbox owns this file; edit .env.* instead.\n");
        for (Setting setting : Setting.values()) {
            String value = switch (setting) {
                // the state dir as resolved (as the OS user the agent cannot see the fallback), the other
                // folders as the user wrote them: resolved again from the same project, they land in the same place
                case PGBOX_STATE_DIR -> l.stateDir().toString();
                case PGBOX_OS_USER -> l.osUser();
                case PGBOX_PG_VERSION -> Integer.toString(l.pg().major());
                case PGBOX_SUPERVISOR -> "patroni".equals(supervisorKind) ? null : supervisorKind; // HA member: the agent finds Patroni too
                case POSTGRES_PASSWORD, PGBOX_ENV -> null;
                default -> s.source(setting).equals(Settings.DEFAULT_SOURCE) ? null : s.get(setting);
            };
            if (value != null) {
                b.append(setting.name()).append('=').append(quote(value)).append('\n');
            }
        }
        new TreeMap<>(s.appSecrets()).forEach((name, value) -> b.append(name).append('=').append(quote(value)).append('\n'));
        return b.toString();
    }

    /** A dotenv value (see {@link AgentSecrets#quote}). */
    static String quote(String v) {
        return AgentSecrets.quote(v);
    }

    private static boolean writeSnapshot(Settings s, Layout l, String supervisorKind) {
        String text = snapshot(s, l, supervisorKind);
        if (OwnedFiles.read(l.agentSettings()).equals(text)) {
            return false;
        }
        OwnedFiles.write(l.agentSettings(), text, l.osUser(), "rw-------");
        return true;
    }

    /** The jar this pgbox runs from, copied where the OS user can read it; true when the copy changed. */
    private static boolean copyJar(Layout l) {
        Path jar = Path.of(System.getProperty("java.class.path"));
        if (!jar.toString().endsWith(".jar") || !Files.isRegularFile(jar)) {
            return false; // run from classes (an IDE): the agent uses the same class path
        }
        try {
            Path copy = l.agentJar();
            if (Files.exists(copy) && Files.size(copy) == Files.size(jar) && Files.mismatch(copy, jar) == -1) {
                return false;
            }
            OwnedFiles.directory(copy.getParent(), l.osUser(), "rwxr-xr-x");
            Path tmp = copy.resolveSibling(".pgbox.jar.tmp");
            Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot copy pgbox for the agent into " + l.agentJar(), e.toString(),
                    "check that " + l.stateDir() + " is writable");
        }
    }

    private static String jarForAgent(Layout l) {
        Path jar = Path.of(System.getProperty("java.class.path"));
        return jar.toString().endsWith(".jar") && Files.exists(l.agentJar()) ? l.agentJar().toString() : System.getProperty("java.class.path");
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
