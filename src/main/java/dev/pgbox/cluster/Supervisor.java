package dev.pgbox.cluster;

import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.exec.OsUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What starts, stops and keeps up one project's postmaster: systemd units where systemd is PID 1
 * (back after a reboot, restarted after a crash), else pg_ctl with the agent's watchdog restarting a
 * crashed server. Chosen by PGBOX_SUPERVISOR; on an HA member Patroni ({@link PatroniSupervisor}).
 */
public sealed interface Supervisor permits PgCtlSupervisor, SystemdSupervisor, PatroniSupervisor {

    /** Starts the postmaster; returns once it accepts connections (it may still be in recovery). */
    void start(Duration timeout);

    /** Stops the postmaster (fast, then immediate) and keeps it from starting at boot; returns the mode used. */
    String stop(Duration fastTimeout);

    /** Whether the server comes back by itself after a reboot. */
    boolean startsAtBoot();

    /** Who restarts a crashed server, and what brings it back after a reboot, in words for status. */
    String describe();

    /** "systemd", "agent" or "patroni". */
    String kind();

    static Supervisor of(Settings s, Layout l) {
        if (PatroniSupervisor.isMember(l)) {
            return new PatroniSupervisor(l, s); // an HA member ('pgbox ha init'): Patroni owns start and stop
        }
        return systemdWanted(s) ? new SystemdSupervisor(l, s) : new PgCtlSupervisor(l);
    }

    /**
     * Whether systemd units bring this project back after a reboot: PGBOX_SUPERVISOR=systemd, or auto where
     * systemd is PID 1 and pgbox runs as root. On an HA member that is the agent's unit, which starts etcd
     * and Patroni again.
     */
    static boolean systemdWanted(Settings s) {
        String want = s.get(Setting.PGBOX_SUPERVISOR);
        return "systemd".equals(want) || ("auto".equals(want) && systemdIsInit() && OsUser.isRoot());
    }

    /** Whether the agent runs as a systemd unit (enabled: back at boot) rather than a detached process. */
    static boolean agentUnit(Settings s, Supervisor supervisor) {
        return "systemd".equals(supervisor.kind()) || ("patroni".equals(supervisor.kind()) && systemdWanted(s));
    }

    /** sd_booted(): systemd is the init process of this machine (not in most containers and CI runners). */
    static boolean systemdIsInit() {
        return Files.isDirectory(Path.of("/run/systemd/system"));
    }
}
