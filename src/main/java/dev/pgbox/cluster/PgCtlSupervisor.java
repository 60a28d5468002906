package dev.pgbox.cluster;

import java.time.Duration;

/**
 * pg_ctl as the OS user: where systemd is not PID 1 (containers, CI). Nothing brings the server back
 * after a reboot; the agent's watchdog restarts it after a crash.
 */
record PgCtlSupervisor(Layout layout) implements Supervisor {

    @Override
    public void start(Duration timeout) {
        PgCtl.start(layout, layout.dataDir(), timeout);
    }

    @Override
    public String stop(Duration fastTimeout) {
        return PgCtl.stop(layout, layout.dataDir(), fastTimeout);
    }

    @Override
    public boolean startsAtBoot() {
        return false;
    }

    @Override
    public String describe() {
        return Supervisor.systemdIsInit()
                ? "pg_ctl (PGBOX_SUPERVISOR=agent): the agent restarts a crashed server; nothing starts it at boot"
                : "pg_ctl: systemd is not PID 1 here, so nothing starts the server after a reboot; the agent restarts it after a crash";
    }

    @Override
    public String kind() {
        return "agent";
    }
}
