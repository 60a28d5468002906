package dev.pgbox.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlaceholdersTest {

    @Test
    void inlinesValuesAsLiterals() {
        assertThat(Placeholders.inline("SELECT * FROM pg_roles WHERE rolname = $1 AND rolconnlimit > $2", "o'brien", 5))
                .isEqualTo("SELECT * FROM pg_roles WHERE rolname = 'o''brien' AND rolconnlimit > 5");
        assertThat(Placeholders.inline("SELECT $1, $2", null, true)).isEqualTo("SELECT NULL, true");
    }

    @Test
    void aBackslashOrQuoteInAValueStaysInsideItsLiteral() {
        assertThat(Placeholders.inline("SELECT $1", "x\\'; DROP TABLE t; --")).isEqualTo("SELECT 'x\\''; DROP TABLE t; --'");
    }

    @Test
    void leavesDollarSignsInQuotesCommentsAndDollarQuotesAlone() {
        String sql = "SELECT '$1', \"$1\", $$ $1 $$, $fn$ $2 $fn$ -- $1\n/* $1 */ , $1";
        assertThat(Placeholders.inline(sql, "v")).isEqualTo("SELECT '$1', \"$1\", $$ $1 $$, $fn$ $2 $fn$ -- $1\n/* $1 */ , 'v'");
    }

    @Test
    void positionalBindsInOrderOfAppearance() {
        Placeholders.Bound b = Placeholders.positional("SELECT $2, $1, $2", "a", "b");
        assertThat(b.sql()).isEqualTo("SELECT ?, ?, ?");
        assertThat(b.values()).isEqualTo(List.of("b", "a", "b"));
    }

    @Test
    void refusesMissingOrUnusedValuesAndUnknownTypes() {
        assertThatThrownBy(() -> Placeholders.inline("SELECT $2", "a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Placeholders.inline("SELECT 1", "a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Placeholders.inline("SELECT $1", new Object())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void identifiersWithDollarsAreNotParameters() {
        assertThat(Placeholders.inline("SELECT a$1 FROM t WHERE x = $1", 7)).isEqualTo("SELECT a$1 FROM t WHERE x = 7");
    }
}
