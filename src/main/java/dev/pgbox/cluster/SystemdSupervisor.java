package dev.pgbox.cluster;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.exec.ProcessResult;
import java.time.Duration;

/**
 * systemd runs the postmaster as the project's server unit: enabled by start (so it starts at boot),
 * restarted by systemd after a crash, stopped and disabled by stop.
 */
record SystemdSupervisor(Layout layout, Settings settings) implements Supervisor {
    /** How soon systemd starts the server again after a crash. */
    static final Duration RESTART_DELAY = Duration.ofMillis(500);

    String unit() {
        return SystemdUnits.serverUnitName(layout);
    }

    @Override
    public void start(Duration timeout) {
        Systemctl.install(unit(), SystemdUnits.renderServer(layout,
                Duration.ofMillis(settings.millis(Setting.PGBOX_STOP_TIMEOUT)), RESTART_DELAY));
        ProcessResult r = Systemctl.enableAndStart(unit(), timeout.plusSeconds(30));
        if (!r.ok()) {
            throw new PgboxException(ErrorKind.TOOL_FAILED, "cannot start the server unit " + unit() + ": systemctl exited "
                    + r.exitCode(), PgCtl.serverComplaint(layout, r),
                    "read 'journalctl -u " + unit() + "' and " + layout.logDir() + "; fix the cause and run 'pgbox start' again");
        }
    }

    @Override
    public String stop(Duration fastTimeout) {
        java.util.OptionalLong pid = PgCtl.pid(layout.dataDir());
        ProcessResult r = Systemctl.disableAndStop(unit(), fastTimeout.plusSeconds(60));
        if (!r.ok()) {
            throw new dev.pgbox.exec.ToolFailedException(r, "cannot stop the server unit " + unit(),
                    "run 'systemctl status " + unit() + "' to see why");
        }
        // systemctl returns once the unit is down; give the kernel the moment it needs to free the port
        pid.ifPresent(p -> PgCtl.awaitExit(p, Duration.ofSeconds(10)));
        if (PgCtl.running(layout, layout.dataDir())) {
            // started outside the unit (before pgbox had units, or with PGBOX_SUPERVISOR=agent)
            return PgCtl.stop(layout, layout.dataDir(), fastTimeout);
        }
        return "fast";
    }

    @Override
    public boolean startsAtBoot() {
        return Systemctl.enabled(unit());
    }

    @Override
    public String describe() {
        // after 'pgbox stop' the unit is disabled: say so rather than promise a start at boot
        return Systemctl.enabled(unit())
                ? "systemd unit " + unit() + ": starts at boot, restarted " + RESTART_DELAY.toMillis() + "ms after a crash"
                : "systemd unit " + unit() + " is disabled ('pgbox stop'); 'pgbox start' enables it again";
    }

    @Override
    public String kind() {
        return "systemd";
    }
}
