package dev.pgbox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvFileTest {
    @Test
    void readsNselfStyleLinesWithCommentsQuotesAndExport() {
        List<EnvFile.Entry> e = EnvFile.parse("""
                # team defaults
                POSTGRES_HOST=127.0.0.1

                POSTGRES_SHARED_BUFFERS=1GB # 25% of RAM
                export POSTGRES_DB=shop
                POSTGRES_USER="shop_app"   # quoted
                PGBOX_STATE_DIR='/srv/pg box'
                HASH=abc#def
                EMPTY=
                ESCAPED="a \\"b\\" c"
                """, ".env.dev");
        assertThat(e).extracting(EnvFile.Entry::name).containsExactly("POSTGRES_HOST", "POSTGRES_SHARED_BUFFERS", "POSTGRES_DB",
                "POSTGRES_USER", "PGBOX_STATE_DIR", "HASH", "EMPTY", "ESCAPED");
        assertThat(e).extracting(EnvFile.Entry::value).containsExactly("127.0.0.1", "1GB", "shop", "shop_app", "/srv/pg box",
                "abc#def", "", "a \"b\" c");
        assertThat(e.get(1).where()).isEqualTo(".env.dev:4");
    }

    @Test
    void windowsLineEndingsAndBomAreAccepted() {
        assertThat(EnvFile.parse("\uFEFFPOSTGRES_PORT=5433\r\nPOSTGRES_DB=x\r\n", ".env.dev"))
                .extracting(EnvFile.Entry::value).containsExactly("5433", "x");
    }

    @Test
    void malformedLineNamesFileAndLineAndHidesTheValue() {
        assertThatThrownBy(() -> EnvFile.parse("POSTGRES_PORT=5432\nthis is not an assignment\n", ".env.dev"))
                .isInstanceOf(PgboxException.class)
                .hasMessageContaining(".env.dev:2")
                .satisfies(t -> assertThat(((PgboxException) t).kind()).isEqualTo(ErrorKind.CONFIG));
        assertThatThrownBy(() -> EnvFile.parse("POSTGRES_PASSWORD=\"s3cret\n", ".env.secrets"))
                .hasMessageContaining(".env.secrets:1")
                .satisfies(t -> assertThat(((PgboxException) t).render()).doesNotContain("s3cret"));
    }

    @Test
    void textAfterClosingQuoteIsRejected() {
        assertThatThrownBy(() -> EnvFile.parse("POSTGRES_DB=\"a\" b\n", ".env.dev")).hasMessageContaining(".env.dev:1");
    }
}
