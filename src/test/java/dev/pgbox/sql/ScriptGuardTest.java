package dev.pgbox.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import dev.pgbox.sql.SqlText;
import org.junit.jupiter.api.Test;

class ScriptGuardTest {
    private static void allowed(String script) {
        assertThat(ScriptGuard.problem(script)).as(script).isNull();
    }

    private static void refused(String script, String because) {
        assertThat(ScriptGuard.problem(script)).as(script).isNotNull().contains(because);
    }

    @Test
    void plainSqlAndGexecAtTheEndOfALinePass() {
        allowed("SELECT 1;\n");
        allowed("SELECT format('CREATE ROLE %I', 'x') WHERE true\\gexec\nSELECT 2;\n");
        allowed("SELECT 1\\gexec");
        allowed("SELECT 1\\gexec  \r\nSELECT 2;");
    }

    @Test
    void backslashOutsideQuotesIsRefused() {
        refused("SELECT 1;\n\\! touch /tmp/pwned\n", "meta-command");
        refused("\\o /tmp/x\nSELECT 1;", "line 1");
        refused("SELECT 1;\n\\copy t FROM '/etc/passwd'", "line 2: \\copy t FROM");
        refused("SELECT 1 \\g /tmp/x", "meta-command");
        refused("SELECT 1 \\\\ \\! id", "meta-command");
        refused("\\c other", "meta-command");
        refused("\\connect other", "meta-command");
        refused("\\set x 1", "meta-command");
    }

    @Test
    void gexecTakesNoArgumentsAndNoSecondCommand() {
        refused("SELECT 1 \\gexec \\! id\n", "meta-command");
        refused("SELECT 1 \\gexec x\n", "meta-command");
        refused("SELECT 1 \\gexec\r\\! id\n", "meta-command");
        refused("SELECT 1 \\gexecx\n", "meta-command");
        refused("SELECT 1 \\gset\n", "meta-command");
    }

    @Test
    void backslashesInsideQuotedTextAreData() {
        allowed("SELECT 'a\\! touch /tmp/pwned';");
        allowed("SELECT \"odd\\name\" FROM t;");
        allowed("SELECT 'it''s \\o here' AS x;");
        allowed("SELECT \"a\"\"\\! b\" FROM t;");
        allowed("-- a comment with \\! in it\nSELECT 1;");
        allowed("/* \\! */ SELECT 1;");
        allowed("SELECT 'x' -- trailing \\o\n;");
    }

    @Test
    void doubledQuotesDoNotEndTheLiteral() {
        // 'a'' \! b' is one literal; a lexer that stopped at the first quote would see \! outside
        allowed("SELECT 'a'' \\! b';");
        // and the reverse: a literal that really ends before the backslash
        refused("SELECT 'a''' \\! b;", "meta-command");
        refused("SELECT '' \\! b;", "meta-command");
        allowed("SELECT \"a\"\" \\! b\";");
        refused("SELECT \"a\"\"\" \\! b;", "meta-command");
    }

    @Test
    void dollarQuotesAreData() {
        allowed("CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT '\\! x' $$;");
        allowed("DO $fn$ BEGIN RAISE NOTICE '\\o'; END $fn$;");
        // another tag inside does not end the string
        allowed("DO $a$ $b$ \\! inside $b$ $a$;");
        refused("DO $a$ x $a$ \\! outside;", "meta-command");
        refused("DO $a$ never closed", "unterminated dollar-quoted");
        // $1 is a parameter, not a quote; a $ inside an identifier opens nothing
        refused("SELECT $1 \\! x", "meta-command");
        refused("SELECT abc$x$ \\! x $x$", "meta-command");
    }

    @Test
    void nestedCommentsNestLikePostgres() {
        allowed("/* outer /* inner */ still \\! comment */ SELECT 1;");
        refused("/* outer /* inner */ */ \\! x", "meta-command");
        refused("/* never closed", "unterminated /* comment");
        // a -- comment ends at a lone carriage return for psql's lexer
        refused("-- note\r\\! id\n", "meta-command");
    }

    @Test
    void escapeStringsNulAndUnterminatedQuotesAreRefused() {
        refused("SELECT E'\\' \\! x';", "E'' string");
        refused("SELECT e'x';", "E'' string");
        allowed("SELECT type'x' FROM t;"); // an identifier ending in e, then a literal
        refused("SELECT 'a\0b';", "NUL byte");
        refused("SELECT 'open", "unterminated quoted literal");
        refused("SELECT \"open", "unterminated quoted identifier");
    }

    @Test
    void quotedHostileValuesStayInsideTheirLiteral() {
        for (String v : new String[] {"\\! touch /tmp/pwned", "x'; \\! id; --", "a'' \\o /tmp/x", "\n\\! id\n", "'", "''", "$$\\!",
                "*/ \\! x /*", "-- \\! x"}) {
            allowed("SELECT " + SqlText.literal(v) + ";\n");
            allowed("SELECT 1 FROM " + SqlText.ident(v) + ";\n");
        }
    }

    @Test
    void checkThrowsAnInternalErrorThatRunsNothing() {
        assertThatThrownBy(() -> ScriptGuard.check("SELECT 1;\n\\! touch /tmp/pwned\n"))
                .isInstanceOf(PgboxException.class)
                .satisfies(e -> {
                    PgboxException p = (PgboxException) e;
                    assertThat(p.kind()).isEqualTo(ErrorKind.FAILURE);
                    assertThat(p.render()).contains("refused", "\\! touch", "line 2", "nothing was run");
                });
    }

    @Test
    void namesAreCheckedBeforeTheyReachSql() {
        assertThat(SqlText.nameProblem("tenant_id")).isNull();
        assertThat(SqlText.nameProblem("x".repeat(63))).isNull();
        assertThat(SqlText.nameProblem("x".repeat(64))).contains("64 bytes");
        assertThat(SqlText.nameProblem("tenant\\! id")).contains("only lowercase");
        assertThat(SqlText.nameProblem("a\0b")).contains("NUL");
        assertThat(SqlText.nameProblem("ténant")).contains("only lowercase");
        assertThat(SqlText.shown("a\nb\0")).isEqualTo("'a\\nb\\x00'");
        assertThatThrownBy(() -> new AppName("a\0b")).isInstanceOf(PgboxException.class);
    }
}
