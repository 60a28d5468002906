package dev.pgbox.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.PgboxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure parts of the Patroni source route: apt's sums, Debian's patch series, versions, the launcher. */
class PatroniSourceTest {
    @TempDir
    Path dir;

    static final String SHOWSRC = """
            Package: patroni
            Format: 3.0 (quilt)
            Version: 4.0.7-3~deb13u1
            Files:
             2ed95774bbc9fd25579784c2e06eee83 2902 patroni_4.0.7-3~deb13u1.dsc
             6f28a37220a656282cc74d20f017d0a4 1216113 patroni_4.0.7.orig.tar.gz
            Checksums-Sha256:
             3a682f48717a4f5c72c06e557a3d12d30b61273f040e12a51235df28be886a71 2902 patroni_4.0.7-3~deb13u1.dsc
             2d53ecc208c99afff180954adb6f0f891e56da0fcd4e1ab84912daab5cf39a7e 1216113 patroni_4.0.7.orig.tar.gz
             21f1ad3fa8d1584f6ff32984af2318851245bae981eeed81737c7a2befe314f0 25680 patroni_4.0.7-3~deb13u1.debian.tar.xz
            Homepage: https://github.com/zalando/patroni
            """;

    @Test
    void sumsComeFromTheSha256SectionOnly() {
        var sums = PatroniSource.parseSums(SHOWSRC);
        assertThat(sums).containsEntry("patroni_4.0.7.orig.tar.gz", "2d53ecc208c99afff180954adb6f0f891e56da0fcd4e1ab84912daab5cf39a7e")
                .containsEntry("patroni_4.0.7-3~deb13u1.debian.tar.xz", "21f1ad3fa8d1584f6ff32984af2318851245bae981eeed81737c7a2befe314f0")
                .hasSize(3);
    }

    @Test
    void sha256OfAFile() throws IOException {
        Path f = dir.resolve("x");
        Files.writeString(f, "abc");
        assertThat(PatroniSource.sha256(f)).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void seriesInOrderWithoutCommentsAndNothingOutsideThePatchFolder() {
        assertThat(PatroniSource.parseSeries("a.patch\n# off.patch\n\nb.patch -p1\n")).containsExactly("a.patch", "b.patch");
        assertThatThrownBy(() -> PatroniSource.parseSeries("../../etc/x.patch\n")).isInstanceOf(PgboxException.class);
    }

    @Test
    void versionsCompareNumerically() {
        assertThat(PatroniSource.compare("4.0.10", "4.0.7")).isPositive();
        assertThat(PatroniSource.compare("4.0.7", "4.0.7")).isZero();
        assertThat(PatroniSource.compare("3.0.2", "4.0.7")).isNegative();
    }

    @Test
    void launcherRunsDebiansPythonIsolatedFromTheUnpackedSource() {
        String l = PatroniSource.launcher(Path.of("/usr/local/lib/pgbox/patroni-4.0.7"), "patroni.ctl", "ctl");
        assertThat(l).startsWith("#!/usr/bin/python3 -I\n").contains("HOME = '/usr/local/lib/pgbox/patroni-4.0.7'\n",
                "sys.path.insert(0, HOME)\n", "from patroni.ctl import ctl\n", "if __name__ == '__main__':\n    sys.exit(ctl())\n");
    }

    @Test
    void theInstallGuardRefusesOnlyEtcd() {
        assertThat(DebianEtcd.POLICY_TEXT).startsWith("#!/bin/sh\n").contains("etcd|etcd.service|etcd2.service) exit 101").endsWith("exit 0\n");
        assertThat(List.of(Requirement.etcd().get(0).packages(), Requirement.etcd().get(1).packages()))
                .containsExactly(List.of("etcd-server"), List.of("etcd-client"));
    }
}
