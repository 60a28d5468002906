package dev.pgbox.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AppUrlsTest {
    private static final Path CERT = Path.of("/srv/my project/.pgbox/run/server.crt");

    private static AppUrls shop(boolean owner) {
        AppName app = new AppName("shop");
        return new AppUrls("127.0.0.1", 5433, app.value(), app.loginRole(), owner ? app.ownerRole() : null, CERT);
    }

    @Test
    void plainUrlsLogInAsTheLoginRoleWithoutOptions() {
        assertThat(shop(false).libpq()).isEqualTo(
                "postgresql://shop@127.0.0.1:5433/shop?sslmode=verify-full&sslrootcert=/srv/my%20project/.pgbox/run/server.crt");
        assertThat(shop(false).jdbc()).isEqualTo(
                "jdbc:postgresql://127.0.0.1:5433/shop?user=shop&sslmode=verify-full&sslrootcert=/srv/my%20project/.pgbox/run/server.crt");
        assertThat(shop(false).options()).isNull();
    }

    @Test
    void ownerUrlsCarryTheRoleOptionPercentEncoded() {
        // libpq splits a query parameter at its only '=' and does not read '+' as a space
        assertThat(shop(true).libpq()).endsWith("&options=-c%20role%3Dshop_owner").startsWith("postgresql://shop@");
        assertThat(shop(true).jdbc()).contains("?user=shop&").endsWith("&options=-c%20role%3Dshop_owner");
        assertThat(shop(true).options()).isEqualTo("-c role=shop_owner");
        assertThat(shop(true).target("pw").runAs()).isEqualTo("shop_owner");
        assertThat(shop(false).target("pw").runAs()).isNull();
    }

    @Test
    void passwordsArePercentEncodedInBothForms() {
        String pw = "a+b/c:d@e f%";
        assertThat(shop(true).libpq(pw)).startsWith("postgresql://shop:a%2Bb%2Fc%3Ad%40e%20f%25@127.0.0.1:5433/shop?");
        assertThat(shop(true).jdbc(pw)).endsWith("&options=-c%20role%3Dshop_owner&password=a%2Bb%2Fc%3Ad%40e%20f%25");
        assertThat(shop(false).libpq()).doesNotContain(":a%2B");
    }

    @Test
    void ipv6HostsAreBracketedAndCopiesKeepTheLogin() {
        AppUrls v6 = new AppUrls("::1", 5433, "shop", "shop", null, CERT);
        assertThat(v6.libpq()).startsWith("postgresql://shop@[::1]:5433/shop?");
        assertThat(v6.jdbc()).startsWith("jdbc:postgresql://[::1]:5433/shop?");
        assertThat(shop(true).in("shop_copy").libpq()).startsWith("postgresql://shop@127.0.0.1:5433/shop_copy?")
                .endsWith("role%3Dshop_owner");
    }

    @Test
    void aRunAsRoleThatIsNotAPlainNameIsRefused() {
        assertThatThrownBy(() -> new AppUrls("127.0.0.1", 5433, "shop", "shop", "x -c log_statement=all", CERT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encodingKeepsOnlyUnreservedCharacters() {
        assertThat(AppUrls.encode("aZ09-._~", false)).isEqualTo("aZ09-._~");
        assertThat(AppUrls.encode("/a b/é", true)).isEqualTo("/a%20b/%C3%A9");
        assertThat(AppUrls.encode("/a", false)).isEqualTo("%2Fa");
    }
}
