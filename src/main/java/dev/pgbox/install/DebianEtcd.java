package dev.pgbox.install;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessResult;
import dev.pgbox.exec.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Debian's own etcd service. Installing etcd-server enables and starts an "etcd" member on
 * 2379/2380 with the host name as its name: pgbox runs its own members with their own configuration,
 * so Debian's must neither start during the install nor at boot. During apt-get install a
 * policy-rc.d that refuses only etcd keeps invoke-rc.d and deb-systemd-invoke from starting it (an
 * existing policy-rc.d, such as a container's, is left as it is); afterwards the unit (systemd) or the
 * init script links (sysvinit) are disabled, like Debian's "main" PostgreSQL cluster.
 */
public final class DebianEtcd {
    public static final String SERVER_PACKAGE = "etcd-server";
    public static final Path POLICY_RC_D = Path.of("/usr/sbin/policy-rc.d");
    private static final String SYSTEMCTL = "/usr/bin/systemctl";
    public static final String POLICY_TEXT = """
            #!/bin/sh
            # Written by pgbox while apt-get installs etcd-server, and removed right after: pgbox runs its own
            # etcd members, so Debian's default etcd service must not start. Every other service may (exit 0).
            for arg in "$@"; do
                case "$arg" in
                    etcd|etcd.service|etcd2.service) exit 101 ;;
                esac
            done
            exit 0
            """;

    private DebianEtcd() {
    }

    /** Keeps Debian's etcd from starting while it is installed; close() removes pgbox's policy-rc.d again. */
    public static AutoCloseable guard() {
        if (Files.exists(POLICY_RC_D)) {
            return () -> { }; // the machine's own policy decides (a container's refuses every start)
        }
        try {
            Files.writeString(POLICY_RC_D, POLICY_TEXT);
            Files.setPosixFilePermissions(POLICY_RC_D, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot write " + POLICY_RC_D, e.toString(), "run pgbox as root");
        }
        return () -> {
            if (Files.exists(POLICY_RC_D) && Files.readString(POLICY_RC_D).equals(POLICY_TEXT)) {
                Files.delete(POLICY_RC_D);
            }
        };
    }

    /** Stops Debian's etcd service if it runs and keeps it from starting at boot; returns what was done, in words. */
    public static List<String> retire() {
        List<String> done = new ArrayList<>();
        if (Files.isDirectory(Path.of("/run/systemd/system")) && Files.isExecutable(Path.of(SYSTEMCTL))) {
            boolean enabled = systemctl("is-enabled", "--quiet", "etcd.service").ok();
            boolean active = systemctl("is-active", "--quiet", "etcd.service").ok();
            if (enabled || active) {
                ProcessResult r = systemctl("disable", "--now", "etcd.service");
                if (!r.ok()) {
                    throw new PgboxException(ErrorKind.TOOL_FAILED, "cannot stop Debian's etcd service", r.tail(3),
                            "run 'systemctl disable --now etcd.service' as root");
                }
                done.add("stopped and disabled Debian's etcd.service (pgbox runs its own etcd members)");
            }
            return done;
        }
        if (Files.exists(Path.of("/etc/init.d/etcd")) && startsAtBoot() && Files.isExecutable(Path.of("/usr/sbin/update-rc.d"))) {
            ProcessResult r = ProcessRunner.run(Command.of("/usr/sbin/update-rc.d", "etcd", "disable").timeout(Duration.ofSeconds(30)).build());
            if (r.ok()) {
                done.add("disabled Debian's etcd init script (pgbox runs its own etcd members)");
            }
        }
        return done;
    }

    /** Whether an S link of the etcd init script exists in a multi-user runlevel. */
    private static boolean startsAtBoot() {
        for (String level : List.of("2", "3", "4", "5")) {
            try (Stream<Path> s = Files.list(Path.of("/etc/rc" + level + ".d"))) {
                if (s.anyMatch(p -> p.getFileName().toString().matches("S\\d\\detcd"))) {
                    return true;
                }
            } catch (IOException e) {
                // no such runlevel folder
            }
        }
        return false;
    }

    private static ProcessResult systemctl(String... args) {
        return ProcessRunner.run(Command.of(SYSTEMCTL, args).timeout(Duration.ofSeconds(60)).build());
    }
}
