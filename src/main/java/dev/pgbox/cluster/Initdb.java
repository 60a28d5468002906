package dev.pgbox.cluster;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessRunner;
import dev.pgbox.sql.AdminSql;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * A new cluster, made so that a failure at any step leaves no half-made data dir behind: initdb into a
 * sibling folder, configure, start it on the socket only, bootstrap, stop, then rename into place.
 */
final class Initdb {
    private Initdb() {
    }

    static void run(Settings settings, Layout layout, Progress progress) {
        Path data = layout.dataDir();
        Path staging = data.resolveSibling(data.getFileName() + ".initializing");
        OwnedFiles.deleteTree(staging);
        OwnedFiles.directory(staging, layout.osUser(), "rwx------");
        boolean done = false;
        try {
            progress.step("initdb (data checksums, UTF-8, scram-sha-256) in " + data);
            ProcessRunner.runChecked(Command.of(layout.pg().bin("initdb"), "-D", staging.toString(), "-U", AdminSql.SUPERUSER,
                            "--auth-local=peer", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
                            "--data-checksums")
                    .runAs(layout.osUser()).env("LC_ALL", "C.UTF-8").timeout(Duration.ofMinutes(5)).build(),
                    "initdb failed", "check free disk space and that " + layout.osUser() + " can write " + staging.getParent());
            progress.step("making a self-signed TLS certificate");
            Tls.makeCertificate(layout, staging);
            // no WAL archiving while bootstrapping: the backup stanza is made after the first real start
            new ConfigWriter(settings.with(Setting.BACKUP_ARCHIVE, "off", "init"), layout).write(staging);
            progress.step("creating role '" + settings.get(Setting.POSTGRES_USER) + "', database '"
                    + settings.get(Setting.POSTGRES_DB) + "' and extensions");
            Duration timeout = Duration.ofMillis(settings.millis(Setting.PGBOX_START_TIMEOUT));
            PgCtl.start(layout, staging, timeout);
            try {
                Bootstrap.apply(Instance.primary(settings, layout).admin(), settings.get(Setting.POSTGRES_USER),
                        settings.get(Setting.POSTGRES_DB), settings.get(Setting.POSTGRES_PASSWORD));
            } finally {
                PgCtl.stop(layout, staging, timeout);
            }
            new ConfigWriter(settings, layout).write(staging);
            if (Files.isDirectory(data)) {
                Files.delete(data); // checked empty and ours before anything started
            }
            Files.move(staging, data, StandardCopyOption.ATOMIC_MOVE);
            done = true;
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot move the new cluster into " + data, e.toString(),
                    "check that " + data.getParent() + " is writable");
        } finally {
            if (!done) {
                if (PgCtl.running(layout, staging)) {
                    PgCtl.stop(layout, staging, Duration.ofSeconds(10));
                }
                OwnedFiles.deleteTree(staging);
            }
        }
    }
}
