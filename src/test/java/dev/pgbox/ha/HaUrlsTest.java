package dev.pgbox.ha;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.apps.MultiHostUrls;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class HaUrlsTest {
    /** pgbox's certificate names: DNS localhost, IP 127.0.0.1 and ::1 (as Java lists them). */
    private static final List<List<?>> PGBOX_CERT = List.of(List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1"));

    @Test
    void aHostMatchesAnIpOrDnsNameOfTheCertificate() {
        assertThat(HaUrls.names("127.0.0.1", PGBOX_CERT)).isTrue();
        assertThat(HaUrls.names("::1", PGBOX_CERT)).isTrue();
        assertThat(HaUrls.names("LOCALHOST", PGBOX_CERT)).isTrue();
        assertThat(HaUrls.names("127.0.0.2", PGBOX_CERT)).isFalse();
        assertThat(HaUrls.names("db1.example", PGBOX_CERT)).isFalse();
    }

    @Test
    void anUnreadableCertificateFallsBackToVerifyCa() {
        assertThat(HaUrls.sslmode(Path.of("/nonexistent/server.crt"), List.of(new MultiHostUrls.Host("127.0.0.1", 5432))))
                .isEqualTo("verify-ca");
    }
}
