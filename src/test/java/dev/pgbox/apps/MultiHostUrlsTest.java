package dev.pgbox.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultiHostUrlsTest {
    private static final Path CERT = Path.of("/srv/my project/.pgbox/run/server.crt");
    private static final List<MultiHostUrls.Host> HOSTS = List.of(new MultiHostUrls.Host("10.0.0.1", 5432),
            new MultiHostUrls.Host("10.0.0.2", 5433), new MultiHostUrls.Host("fd00::3", 5432));

    private static MultiHostUrls shop(boolean owner, boolean readOnly) {
        AppName app = new AppName("shop");
        AppUrls one = new AppUrls("127.0.0.1", 5432, app.value(), app.loginRole(), owner ? app.ownerRole() : null, CERT);
        return MultiHostUrls.of(one, HOSTS, "verify-ca", readOnly);
    }

    @Test
    void everyMemberIsListedAndTheClientLooksForTheWritableOne() {
        assertThat(shop(false, false).libpq(null)).isEqualTo("postgresql://shop@10.0.0.1:5432,10.0.0.2:5433,[fd00::3]:5432/shop"
                + "?sslmode=verify-ca&sslrootcert=/srv/my%20project/.pgbox/run/server.crt&target_session_attrs=read-write&connect_timeout=5");
        assertThat(shop(false, false).jdbc(null)).isEqualTo("jdbc:postgresql://10.0.0.1:5432,10.0.0.2:5433,[fd00::3]:5432/shop"
                + "?user=shop&sslmode=verify-ca&sslrootcert=/srv/my%20project/.pgbox/run/server.crt&targetServerType=primary"
                + "&connectTimeout=5");
    }

    @Test
    void readOnlyPrefersAStandby() {
        assertThat(shop(false, true).libpq(null)).contains("&target_session_attrs=prefer-standby&").doesNotContain("read-write");
        assertThat(shop(false, true).jdbc(null)).contains("&targetServerType=preferSecondary&").doesNotContain("=primary");
    }

    @Test
    void passwordsAndTheOwnerRoleAreEncodedAsInOneHostUrls() {
        String pw = "a+b/c:d@e f%";
        assertThat(shop(true, false).libpq(pw)).startsWith("postgresql://shop:a%2Bb%2Fc%3Ad%40e%20f%25@10.0.0.1:5432,")
                .endsWith("&options=-c%20role%3Dshop_owner");
        assertThat(shop(true, false).jdbc(pw)).endsWith("&options=-c%20role%3Dshop_owner&password=a%2Bb%2Fc%3Ad%40e%20f%25");
        assertThat(shop(false, false).libpq(null)).doesNotContain("a%2B");
    }

    @Test
    void anUnverifiedSslModeOrNoHostsAreRefused() {
        assertThatThrownBy(() -> new MultiHostUrls(HOSTS, "shop", "shop", null, CERT, "require", false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MultiHostUrls(List.of(), "shop", "shop", null, CERT, "verify-full", false))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
