package dev.pgbox.cluster;

import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/** The self-signed server certificate made at init (valid for localhost, 127.0.0.1 and ::1). */
final class Tls {
    private Tls() {
    }

    static void makeCertificate(Layout l, Path dataDir) {
        Command c = Command.of(dev.pgbox.install.Tools.OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
                        "-days", "3650", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
                        "-keyout", dataDir.resolve("server.key").toString(),
                        "-out", dataDir.resolve("server.crt").toString())
                .runAs(l.osUser()).timeout(Duration.ofMinutes(1)).build();
        ProcessRunner.runChecked(c, "cannot make the TLS certificate", "check that openssl is installed ('pgbox install')");
        try {
            Files.setPosixFilePermissions(dataDir.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
            Files.setPosixFilePermissions(dataDir.resolve("server.crt"), PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new dev.pgbox.PgboxException(dev.pgbox.ErrorKind.PERMISSION, "cannot set the mode of the TLS key",
                    e.getMessage(), "chmod 600 " + dataDir.resolve("server.key"));
        }
    }
}
