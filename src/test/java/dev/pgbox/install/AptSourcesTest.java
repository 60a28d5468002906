package dev.pgbox.install;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AptSourcesTest {
    @Test
    void findsTheMainArchiveInDeb822AndOneLineSources() {
        String deb822 = """
                Types: deb
                # http://snapshot.example/archive/debian/20250520T000000Z
                URIs: http://mirror.example.org/debian
                Suites: bookworm bookworm-updates
                Components: main

                Types: deb
                URIs: http://mirror.example.org/debian-security
                Suites: bookworm-security
                """;
        assertThat(AptSources.mirrorIn(deb822)).contains("http://mirror.example.org/debian");
        assertThat(AptSources.mirrorIn("deb [arch=amd64] https://m.example.net/debian/ bookworm main\n"))
                .contains("https://m.example.net/debian");
        assertThat(AptSources.mirrorIn("deb http://m.example.net/debian-security bookworm-security main\n")).isEmpty();
    }

    @Test
    void stanzaAddsSourcesOnlyFromTrixie() {
        String s = AptSources.trixieSourceStanza("http://mirror.example.org/debian");
        assertThat(s).contains("Types: deb-src\n", "Suites: trixie\n", "URIs: http://mirror.example.org/debian\n")
                .doesNotContain("Types: deb\n");
    }
}
