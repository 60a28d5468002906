package dev.pgbox.cluster;

import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessResult;
import dev.pgbox.exec.ProcessRunner;
import java.time.Duration;

/** systemctl for pgbox's own units. Decides what its exit codes mean; writes only files named pgbox-*. */
public final class Systemctl {
    private static final String SYSTEMCTL = "/bin/systemctl";

    private Systemctl() {
    }

    /** Writes the unit when its text changed and tells systemd; returns true if it changed. */
    public static boolean install(String unit, String text) {
        if (!unit.startsWith("pgbox-")) {
            throw new IllegalArgumentException("not a pgbox unit: " + unit);
        }
        var file = SystemdUnits.UNIT_DIR.resolve(unit);
        if (OwnedFiles.read(file).equals(text)) {
            return false;
        }
        OwnedFiles.write(file, text, "root", "rw-r--r--");
        run("cannot reload systemd's units", "daemon-reload");
        return true;
    }

    /** Enables the unit (so it starts at boot) and starts it; waits for systemd's start job up to {@code timeout}. */
    public static ProcessResult enableAndStart(String unit, Duration timeout) {
        run("cannot enable " + unit, "enable", "--quiet", unit);
        return ProcessRunner.run(Command.of(SYSTEMCTL, "start", unit).timeout(timeout).build());
    }

    /** Stops the unit and disables it, so it stays stopped across a reboot until the next 'pgbox start'. */
    public static ProcessResult disableAndStop(String unit, Duration timeout) {
        return ProcessRunner.run(Command.of(SYSTEMCTL, "disable", "--now", "--quiet", unit).timeout(timeout).build());
    }

    public static boolean enabled(String unit) {
        return ProcessRunner.run(Command.of(SYSTEMCTL, "is-enabled", "--quiet", unit).timeout(Duration.ofSeconds(20)).build()).ok();
    }

    public static boolean active(String unit) {
        return ProcessRunner.run(Command.of(SYSTEMCTL, "is-active", "--quiet", unit).timeout(Duration.ofSeconds(20)).build()).ok();
    }

    /** One property of the unit (systemctl show -p), e.g. NRestarts; empty when systemd does not know it. */
    public static String property(String unit, String name) {
        ProcessResult r = ProcessRunner.run(Command.of(SYSTEMCTL, "show", "-p", name, "--value", unit)
                .timeout(Duration.ofSeconds(20)).build());
        return r.ok() ? r.stdout().strip() : "";
    }

    private static void run(String what, String... args) {
        ProcessRunner.runChecked(Command.of(SYSTEMCTL, args).timeout(Duration.ofSeconds(60)).build(), what,
                "see 'journalctl -xe'; pgbox needs root and systemd as PID 1 for its units (or set PGBOX_SUPERVISOR=agent)");
    }
}
