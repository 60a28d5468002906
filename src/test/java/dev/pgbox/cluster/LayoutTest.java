package dev.pgbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayoutTest {
    @TempDir
    Path dir;

    @Test
    void aFolderBehindAClosedParentIsUnreachableForAnotherUser() throws IOException {
        Path closed = Files.createDirectory(dir.resolve("closed"));
        Path project = Files.createDirectory(closed.resolve("project"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
        assertThat(Layout.reachable(project, "nobody")).isFalse();
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx--x--x"));
        assertThat(Layout.reachable(project, "nobody")).isTrue();
    }
}
