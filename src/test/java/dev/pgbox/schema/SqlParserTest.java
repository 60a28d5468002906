package dev.pgbox.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SqlParserTest {
    @Test
    void statementsCarryTheirKindPlaceAndLeadingComments() {
        ParsedSql p = SqlParser.parse("a.sql", """
                -- schema for the ünïcode app
                CREATE TABLE t (id int);

                /* outer /* nested */ still */
                -- pgbox-lint: accept create-index-concurrently (t is new)
                CREATE INDEX t_id ON t (id);
                SELECT 'x;y' ; UPDATE t SET id = 2""");
        assertThat(p.statements()).extracting(SqlStatement::kind)
                .containsExactly("CreateStmt", "IndexStmt", "SelectStmt", "UpdateStmt");
        SqlStatement index = p.statements().get(1);
        assertThat(index.text()).isEqualTo("CREATE INDEX t_id ON t (id)");
        assertThat(index.line()).isEqualTo(6);
        assertThat(index.column()).isEqualTo(1);
        assertThat(index.comments()).containsExactly("outer /* nested */ still", "pgbox-lint: accept create-index-concurrently (t is new)");
        assertThat(index.node().path("concurrent").asBoolean(false)).isFalse();
        assertThat(p.statements().get(0).comments()).containsExactly("schema for the ünïcode app");
        SqlStatement update = p.statements().get(3);
        assertThat(update.text()).isEqualTo("UPDATE t SET id = 2");
        assertThat(update.line()).isEqualTo(7);
        assertThat(update.column()).isEqualTo(16);
        assertThat(update.node().has("whereClause")).isFalse();
    }

    @Test
    void aSyntaxErrorNamesLineAndColumn() {
        assertThatThrownBy(() -> SqlParser.parse("m.sql", "SELECT 1;\n-- ü\nCREATE TABL x (id int);"))
                .isInstanceOfSatisfying(SqlSyntaxException.class, e -> {
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.column()).isEqualTo(8);
                    assertThat(e.reason()).contains("syntax error at or near \"TABL\"");
                    assertThat(e.getMessage()).contains("m.sql", "line 3, column 8");
                });
    }
}
