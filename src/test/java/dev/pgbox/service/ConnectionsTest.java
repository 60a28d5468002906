package dev.pgbox.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import org.junit.jupiter.api.Test;

class ConnectionsTest {
    @Test
    void ownerWithoutAnAppIsAUsageError() {
        assertThatThrownBy(() -> Connections.As.of(null, true)).isInstanceOfSatisfying(PgboxException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.USAGE);
            assertThat(e.getMessage()).contains("--owner needs --app NAME");
        });
    }

    @Test
    void anAppNameIsCheckedLikeAppCreateChecksIt() {
        assertThatThrownBy(() -> Connections.As.of("Shop", false)).isInstanceOfSatisfying(PgboxException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.USAGE));
        assertThat(Connections.As.of("shop", true).app().ownerRole()).isEqualTo("shop_owner");
        assertThat(Connections.As.of(null, false)).isEqualTo(Connections.As.MAIN);
    }
}
