package dev.pgbox.cluster;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The folders a server needs before it starts (state, backup, scratch, run, log, the data dir's
 * parent), created with their owner and mode; only what is missing is made, and only what pgbox
 * creates gets a mode and owner.
 */
final class StateFolders {
    private StateFolders() {
    }

    static void prepare(Settings settings, Layout layout) {
        String user = layout.osUser();
        if (!Files.isDirectory(layout.stateDir())) {
            try {
                Files.createDirectories(layout.stateDir());
                Files.setPosixFilePermissions(layout.stateDir(), PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (IOException e) {
                throw new PgboxException(ErrorKind.PERMISSION, "cannot create " + layout.stateDir(), e.toString(),
                        "make " + layout.stateDir().getParent() + " writable, or set PGBOX_STATE_DIR");
            }
        }
        if (!layout.explicitStateDir()) {
            // pgbox's own state dir (.pgbox, or the /var/lib/pgbox fallback) belongs to the OS user the
            // agent runs as, so its jobs can make scratch clusters and record drills (earlier pgbox left it to root)
            OwnedFiles.adopt(layout.stateDir(), user);
        }
        for (Path shared : List.of(layout.backupDir(), layout.scratchDir())) {
            // the agent (as the OS user) records drills and makes scratch clusters here, as the CLI does
            if (!OwnedFiles.directory(shared, user, "rwxr-xr-x") && !layout.explicitStateDir()) {
                OwnedFiles.adopt(shared, user);
            }
        }
        // a folder the user named gets pgbox's own subfolder (Layout chose it); only what pgbox creates gets a mode and owner
        folder(settings, Setting.PGBOX_RUN_DIR, layout.runDir(), user, "rwxr-xr-x");
        folder(settings, Setting.PGBOX_LOG_DIR, layout.logDir(), user, "rwxr-x---");
        if (layout.dataDir().getParent() != null && !Files.isDirectory(layout.dataDir().getParent())) {
            OwnedFiles.directory(layout.dataDir().getParent(), user, "rwxr-xr-x");
        }
    }

    private static void folder(Settings settings, Setting setting, Path dir, String user, String mode) {
        if (settings.isSet(setting)) {
            OwnedFiles.ownedDirectory(dir, user, mode);
        } else {
            OwnedFiles.directory(dir, user, mode);
        }
    }
}
