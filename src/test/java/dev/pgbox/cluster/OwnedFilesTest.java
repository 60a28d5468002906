package dev.pgbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.exec.OsUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pgbox sets mode and owner only on folders it created; a user's folder gets pgbox's own subfolder. */
class OwnedFilesTest {
    @TempDir
    Path dir;

    @Test
    void anExistingFolderKeepsItsModeAndGetsASubfolderAMissingOneIsMadeAndMarked() throws Exception {
        Path project = dir.resolve("shop");
        Path users = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path placed = OwnedFiles.placeIn(users, project);
        assertThat(placed.getParent()).isEqualTo(users);
        assertThat(placed.getFileName().toString()).matches("pgbox-shop-[0-9a-f]{8}");
        OwnedFiles.ownedDirectory(placed, OsUser.currentName(), "rwxr-x---");
        assertThat(Files.getPosixFilePermissions(users)).isEqualTo(PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(Files.getPosixFilePermissions(placed)).isEqualTo(PosixFilePermissions.fromString("rwxr-x---"));
        assertThat(OwnedFiles.placeIn(users, project)).as("stable across runs").isEqualTo(placed);
        assertThat(OwnedFiles.placeIn(users, dir.resolve("other").resolve("shop"))).as("another project, another subfolder")
                .isNotEqualTo(placed);

        Path fresh = dir.resolve("new");
        assertThat(OwnedFiles.placeIn(fresh, project)).isEqualTo(fresh);
        OwnedFiles.ownedDirectory(fresh, OsUser.currentName(), "rwxr-x---");
        assertThat(fresh.resolve(OwnedFiles.MARKER)).exists();
        assertThat(OwnedFiles.placeIn(fresh, project)).as("pgbox's own folder is used as it is").isEqualTo(fresh);

        Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rwx------"));
        assertThat(OwnedFiles.directory(users, OsUser.currentName(), "rwxr-xr-x")).isFalse();
        assertThat(Files.getPosixFilePermissions(users)).as("an existing folder is never chmodded")
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }
}
