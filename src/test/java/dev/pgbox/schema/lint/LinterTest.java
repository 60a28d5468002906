package dev.pgbox.schema.lint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule fires on a bad example and stays quiet on its safe form (offline: every table not created
 * in the scripts counts as existing and big). Each script starts with SET lock_timeout so that only the
 * rule under test can fire, except in the timeout rule's own cases.
 */
class LinterTest {
    private static final String T = "SET lock_timeout = '2s';\n";

    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of("require-concurrent-index-creation", "CREATE INDEX i ON t (a);",
                        "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);"),
                Arguments.of("require-concurrent-index-deletion", "DROP INDEX i;", "DROP INDEX CONCURRENTLY IF EXISTS i;"),
                Arguments.of("adding-required-field", "ALTER TABLE t ADD COLUMN c int NOT NULL;",
                        "ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0;"),
                Arguments.of("setting-not-nullable-field", "ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
                        "ALTER TABLE t ADD CONSTRAINT t_c_nn CHECK (c IS NOT NULL) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT t_c_nn;\n"
                                + "ALTER TABLE t ALTER COLUMN c SET NOT NULL;"),
                Arguments.of("changing-column-type", "ALTER TABLE t ALTER COLUMN c TYPE bigint;", "ALTER TABLE t ADD COLUMN c_new bigint;"),
                Arguments.of("renaming-column", "ALTER TABLE t RENAME COLUMN a TO b;", "ALTER TABLE t ADD COLUMN b text;"),
                Arguments.of("renaming-table", "ALTER TABLE t RENAME TO u;", "CREATE TABLE n (id bigint PRIMARY KEY); ALTER TABLE n RENAME TO m;"),
                Arguments.of("adding-foreign-key-constraint", "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id);",
                        "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT f;"),
                Arguments.of("adding-foreign-key-constraint", "ALTER TABLE t ADD COLUMN u_id bigint REFERENCES u (id);",
                        "ALTER TABLE t ADD COLUMN u_id bigint;"),
                Arguments.of("constraint-missing-not-valid", "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);",
                        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT c;"),
                Arguments.of("disallowed-unique-constraint", "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);",
                        "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a_key;"),
                Arguments.of("disallowed-unique-constraint", "ALTER TABLE t ADD COLUMN b text UNIQUE;", "ALTER TABLE t ADD COLUMN b text;"),
                Arguments.of("adding-serial-primary-key-field", "ALTER TABLE t ADD PRIMARY KEY (id);",
                        "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_pkey;"),
                Arguments.of("adding-field-with-default", "ALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();",
                        "ALTER TABLE t ADD COLUMN at timestamptz DEFAULT now();"),
                Arguments.of("adding-field-with-default", "ALTER TABLE t ADD COLUMN n bigint GENERATED ALWAYS AS (a * 2) STORED;",
                        "ALTER TABLE t ADD COLUMN n bigint DEFAULT 7;"),
                Arguments.of("ban-drop-column", "ALTER TABLE t DROP COLUMN a;", "ALTER TABLE t ALTER COLUMN a DROP DEFAULT;"),
                Arguments.of("ban-drop-table", "DROP TABLE t;", "CREATE TABLE n (id bigint PRIMARY KEY); DROP TABLE n;"),
                Arguments.of("ban-drop-database", "DROP DATABASE d;", "CREATE TABLE n (id bigint PRIMARY KEY);"),
                Arguments.of("ban-drop-not-null", "ALTER TABLE t ALTER COLUMN a DROP NOT NULL;", "ALTER TABLE t ALTER COLUMN a SET DEFAULT 1;"),
                Arguments.of("ban-char-field", "CREATE TABLE n (id bigint PRIMARY KEY, code char(3));",
                        "CREATE TABLE n (id bigint PRIMARY KEY, code text);"),
                Arguments.of("prefer-text-field", "CREATE TABLE n (id bigint PRIMARY KEY, name varchar(20));",
                        "CREATE TABLE n (id bigint PRIMARY KEY, name text CHECK (char_length(name) <= 20));"),
                Arguments.of("prefer-text-field", "ALTER TABLE t ADD COLUMN name varchar(20);", "ALTER TABLE t ADD COLUMN name varchar;"),
                Arguments.of("prefer-timestamptz", "CREATE TABLE n (id bigint PRIMARY KEY, at timestamp);",
                        "CREATE TABLE n (id bigint PRIMARY KEY, at timestamptz);"),
                Arguments.of("prefer-bigint-over-int", "CREATE TABLE n (id int PRIMARY KEY);", "CREATE TABLE n (id bigint PRIMARY KEY, v int);"),
                Arguments.of("prefer-bigint-over-int", "CREATE TABLE n (id int, CONSTRAINT n_pk PRIMARY KEY (id));",
                        "CREATE TABLE n (id bigint, CONSTRAINT n_pk PRIMARY KEY (id));"),
                Arguments.of("prefer-bigint-over-smallint", "CREATE TABLE n (id smallint GENERATED ALWAYS AS IDENTITY);",
                        "CREATE TABLE n (id bigint GENERATED ALWAYS AS IDENTITY, v smallint);"),
                Arguments.of("prefer-identity", "CREATE TABLE n (id bigserial PRIMARY KEY);",
                        "CREATE TABLE n (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);"),
                Arguments.of("ban-concurrent-index-creation-in-transaction", "BEGIN;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);\nCOMMIT;",
                        "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);"),
                Arguments.of("transaction-nesting", "BEGIN;\nBEGIN;\nCOMMIT;", "BEGIN;\nSELECT 1;\nCOMMIT;"),
                Arguments.of("transaction-nesting", "COMMIT;", "BEGIN;\nCOMMIT;"),
                Arguments.of("ban-uncommitted-transaction", "BEGIN;\nALTER TABLE t ADD COLUMN b text;", "BEGIN;\nALTER TABLE t ADD COLUMN b text;\nCOMMIT;"),
                Arguments.of("prefer-robust-stmts", "CREATE INDEX CONCURRENTLY i ON t (a);", "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);"),
                Arguments.of("ban-create-domain-with-constraint", "CREATE DOMAIN pos AS int CHECK (VALUE > 0);", "CREATE DOMAIN pos AS int;"),
                Arguments.of("ban-alter-domain-with-add-constraint", "ALTER DOMAIN pos ADD CONSTRAINT p CHECK (VALUE > 0);",
                        "ALTER DOMAIN pos ADD CONSTRAINT p CHECK (VALUE > 0) NOT VALID;"),
                Arguments.of("ban-truncate-cascade", "TRUNCATE t CASCADE;", "TRUNCATE t;"),
                Arguments.of("ban-vacuum-full", "VACUUM FULL t;", "VACUUM (ANALYZE) t;"),
                Arguments.of("ban-vacuum-full", "VACUUM (FULL) t;", "VACUUM (FULL false) t;"),
                Arguments.of("update-without-where", "UPDATE t SET a = 1;", "UPDATE t SET a = 1 WHERE id BETWEEN 1 AND 1000;"),
                Arguments.of("delete-without-where", "DELETE FROM t;", "DELETE FROM t WHERE id < 1000;"),
                Arguments.of("ban-cluster", "CLUSTER t USING t_pkey;", "ANALYZE t;"),
                Arguments.of("require-concurrent-reindex", "REINDEX TABLE t;", "REINDEX TABLE CONCURRENTLY t;"),
                Arguments.of("require-concurrent-reindex", "REINDEX INDEX i;", "REINDEX (CONCURRENTLY) INDEX i;"),
                Arguments.of("ban-lock-table", "LOCK TABLE t IN ACCESS EXCLUSIVE MODE;", "LOCK TABLE t IN ROW EXCLUSIVE MODE;"),
                Arguments.of("ban-set-tablespace", "ALTER TABLE t SET TABLESPACE slow;", "CREATE TABLE n (id bigint PRIMARY KEY) TABLESPACE slow;"),
                Arguments.of("require-concurrent-partition-detach", "ALTER TABLE p DETACH PARTITION p2020;",
                        "ALTER TABLE p DETACH PARTITION p2020 CONCURRENTLY;"),
                Arguments.of("ban-drop-default", "ALTER TABLE t ALTER COLUMN c DROP DEFAULT;", "ALTER TABLE t ALTER COLUMN c SET DEFAULT 0;"),
                Arguments.of("ban-drop-constraint", "ALTER TABLE t DROP CONSTRAINT t_c_check;",
                        "CREATE TABLE n (id bigint PRIMARY KEY, v int CONSTRAINT n_v CHECK (v > 0)); ALTER TABLE n DROP CONSTRAINT n_v;"),
                Arguments.of("ban-disable-trigger", "ALTER TABLE t DISABLE TRIGGER ALL;", "ALTER TABLE t ENABLE TRIGGER ALL;"),
                Arguments.of("ban-set-schema", "ALTER TABLE t SET SCHEMA archive;",
                        "CREATE TABLE n (id bigint PRIMARY KEY); ALTER TABLE n SET SCHEMA archive; CREATE INDEX n_id ON archive.n (id);"),
                Arguments.of("renaming-object", "ALTER VIEW v RENAME TO w;", "ALTER INDEX i RENAME TO j;"),
                Arguments.of("renaming-object", "ALTER FUNCTION f(int) RENAME TO g;", "CREATE VIEW w AS SELECT 1;"),
                Arguments.of("ban-drop-schema", "DROP SCHEMA s CASCADE;", "CREATE SCHEMA s;"),
                Arguments.of("ban-drop-view", "DROP MATERIALIZED VIEW mv;", "CREATE MATERIALIZED VIEW mv AS SELECT 1;"),
                Arguments.of("ban-drop-function", "DROP FUNCTION f(int);", "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';"),
                Arguments.of("ban-drop-trigger", "DROP TRIGGER tr ON t;", "ALTER TABLE t ENABLE TRIGGER tr;"),
                Arguments.of("ban-drop-type", "DROP TYPE mood;", "CREATE TYPE mood AS ENUM ('ok');"),
                Arguments.of("ban-drop-domain", "DROP DOMAIN pos;", "CREATE DOMAIN pos AS int;"),
                Arguments.of("ban-drop-sequence", "DROP SEQUENCE q;", "CREATE SEQUENCE q;"),
                Arguments.of("ban-drop-extension", "DROP EXTENSION pg_trgm;", "CREATE EXTENSION IF NOT EXISTS pg_trgm;"),
                Arguments.of("ban-drop-policy", "DROP POLICY po ON t;", "CREATE POLICY po ON t USING (true);"),
                Arguments.of("ban-set-logged", "ALTER TABLE t SET LOGGED;", "CREATE UNLOGGED TABLE n (id bigint PRIMARY KEY); ALTER TABLE n SET LOGGED;"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("rules")
    void firesOnTheBadFormAndNotOnTheSafeOne(String rule, String bad, String safe) {
        assertThat(rules(T + bad)).as("%s on %s", rule, bad).contains(rule);
        assertThat(rules(T + safe)).as("%s on %s", rule, safe).doesNotContain(rule);
    }

    @Test
    void everyRuleHasATestCaseOrIsCoveredElsewhere() {
        List<String> covered = rules().map(a -> (String) a.get()[0]).toList();
        List<String> elsewhere = List.of("require-timeout-settings", "live-lock-conflict", "live-long-transaction", "syntax-error", "accept-without-reason",
                "accept-unknown-rule");
        assertThat(Arrays.stream(LintRule.values()).map(LintRule::id).filter(id -> !covered.contains(id) && !elsewhere.contains(id)))
                .isEmpty();
    }

    @Test
    void docsLintMdDescribesEveryRule() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("docs/lint.md"));
        assertThat(Arrays.stream(LintRule.values()).map(r -> "| `" + r.id() + "`").filter(id -> !doc.contains(id))).isEmpty();
    }

    @Test
    void aScriptThatLocksWithoutLockTimeoutIsFlaggedOnceUnlessTheRunnerSetsIt() {
        String sql = "ALTER TABLE t ADD COLUMN b text;\nALTER TABLE t ADD COLUMN c text;";
        LintReport r = lint(Linter.offline(), sql);
        assertThat(r.findings()).extracting(LintFinding::rule).containsExactly("require-timeout-settings");
        assertThat(r.findings().get(0).line()).isEqualTo(1);
        assertThat(r.findings().get(0).fix()).contains("SET lock_timeout");
        assertThat(lint(Linter.offline().runnerSetsTimeouts(), sql).findings()).isEmpty();
        assertThat(rules("SET lock_timeout TO '1s';\n" + sql)).isEmpty();
        assertThat(rules("SELECT set_config('lock_timeout', '1s', false);\n" + sql)).isEmpty();
        assertThat(rules("SET lock_timeout = 0;\n" + sql)).containsExactly("require-timeout-settings");
        // a new table's locks block nobody
        assertThat(rules("CREATE TABLE n (id bigint PRIMARY KEY);\nALTER TABLE n ADD COLUMN b text;")).isEmpty();
    }

    @Test
    void tablesCreatedEarlierInTheScriptsAreNewAcrossFiles() {
        LintReport r = Linter.offline().runnerSetsTimeouts().lint(List.of(
                new SqlSource("1.up.sql", "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer bigint);"),
                new SqlSource("2.up.sql", "CREATE INDEX orders_customer ON orders (customer);\n"
                        + "ALTER TABLE orders ADD CONSTRAINT orders_c UNIQUE (customer);\nALTER TABLE public.orders ALTER COLUMN customer SET NOT NULL;\n"
                        + "CREATE INDEX other_x ON other (x);")));
        assertThat(r.findings()).extracting(LintFinding::rule, LintFinding::source, LintFinding::line)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("require-concurrent-index-creation", "2.up.sql", 4));
        assertThat(r.statements()).isEqualTo(5);
        assertThat(r.sources()).isEqualTo(2);
    }

    @Test
    void anAcceptCommentWithAReasonAcceptsAndOneWithoutDoesNot() {
        LintReport r = lint(Linter.offline(), T + "-- pgbox-lint: accept ban-drop-column, renaming-table because nothing reads b since v2.3\n"
                + "ALTER TABLE t DROP COLUMN b;\n"
                + "-- pgbox-lint: accept ban-drop-table\nDROP TABLE old;\n"
                + "-- squawk-ignore renaming-column\nALTER TABLE t RENAME COLUMN x TO y;\n"
                + "-- pgbox-lint: accept no-such-rule because reasons\nALTER TABLE t ADD COLUMN z text;");
        LintFinding drop = one(r, "ban-drop-column");
        assertThat(drop.accepted()).isTrue();
        assertThat(drop.reason()).isEqualTo("nothing reads b since v2.3");
        assertThat(drop.line()).isEqualTo(3);
        assertThat(one(r, "ban-drop-table").accepted()).isFalse();
        assertThat(one(r, "accept-without-reason").severity()).isEqualTo("error");
        assertThat(one(r, "accept-without-reason").line()).isEqualTo(5);
        assertThat(one(r, "renaming-column").accepted()).isTrue();
        assertThat(one(r, "accept-unknown-rule").message()).contains("no-such-rule");
        assertThat(r.accepted()).isEqualTo(2);
        assertThat(r.errors()).isEqualTo(2); // ban-drop-table and accept-without-reason
        assertThat(r.passed()).isFalse();
    }

    @Test
    void aFileWideAcceptCoversEveryStatementAndSquawksOlderNamesWork() {
        LintReport r = lint(Linter.offline(), "-- pgbox-lint: accept-file ban-drop-column because the columns went unused in v3\n" + T
                + "ALTER TABLE t DROP COLUMN a;\nALTER TABLE t DROP COLUMN b;\n"
                + "-- squawk-ignore adding-not-nullable-field\nALTER TABLE t ALTER COLUMN c SET NOT NULL;");
        assertThat(r.findings()).allMatch(LintFinding::accepted).hasSize(3);
        assertThat(r.passed()).isTrue();
    }

    @Test
    void aSyntaxErrorIsAFindingWithLineAndColumnAndTheOtherFilesAreStillLinted() {
        LintReport r = Linter.offline().runnerSetsTimeouts().lint(List.of(new SqlSource("bad.sql", "SELECT 1;\n\nALTER TABLE t ADD COLUMNN x int;"),
                new SqlSource("good.sql", "DROP TABLE t;")));
        LintFinding syntax = one(r, "syntax-error");
        assertThat(syntax.source()).isEqualTo("bad.sql");
        assertThat(syntax.line()).isEqualTo(3);
        assertThat(syntax.column()).isEqualTo(29); // COLUMNN is taken as the column's name, x as its type: "int" is the error
        assertThat(syntax.severity()).isEqualTo("error");
        assertThat(syntax.statement()).isEqualTo("ALTER TABLE t ADD COLUMNN x int;");
        assertThat(syntax.message()).contains("syntax error at or near \"int\"");
        assertThat(one(r, "ban-drop-table").source()).isEqualTo("good.sql");
    }

    @Test
    void fixesAreConcreteSql() {
        LintReport r = lint(Linter.offline(), T + "CREATE UNIQUE INDEX orders_ref ON orders (ref);\nALTER TABLE orders ALTER COLUMN ref SET NOT NULL;");
        assertThat(one(r, "require-concurrent-index-creation").fix()).startsWith("CREATE UNIQUE INDEX CONCURRENTLY orders_ref ON orders (ref);");
        assertThat(one(r, "require-concurrent-index-creation").message()).contains("SHARE lock", "orders");
        assertThat(one(r, "setting-not-nullable-field").fix()).contains("CHECK (ref IS NOT NULL) NOT VALID", "VALIDATE CONSTRAINT",
                "ALTER COLUMN ref SET NOT NULL");
        assertThat(one(r, "setting-not-nullable-field").message()).contains("ACCESS EXCLUSIVE");
    }

    @Test
    void lockModesConflictAsTheManualSays() {
        assertThat(LockMode.ACCESS_EXCLUSIVE.conflictsWith(LockMode.ACCESS_SHARE)).isTrue();
        assertThat(LockMode.SHARE.conflictsWith(LockMode.ROW_EXCLUSIVE)).isTrue();
        assertThat(LockMode.SHARE.conflictsWith(LockMode.SHARE)).isFalse();
        assertThat(LockMode.SHARE_UPDATE_EXCLUSIVE.conflictsWith(LockMode.ROW_EXCLUSIVE)).isFalse();
        assertThat(LockMode.SHARE_UPDATE_EXCLUSIVE.conflictsWith(LockMode.SHARE_UPDATE_EXCLUSIVE)).isTrue();
        assertThat(LockMode.ROW_EXCLUSIVE.conflictsWith(LockMode.ACCESS_SHARE)).isFalse();
        for (LockMode a : LockMode.values()) {
            for (LockMode b : LockMode.values()) {
                assertThat(a.conflictsWith(b)).as("%s vs %s", a, b).isEqualTo(b.conflictsWith(a));
            }
        }
    }

    private static LintFinding one(LintReport r, String rule) {
        List<LintFinding> hits = r.findings().stream().filter(f -> f.rule().equals(rule)).toList();
        assertThat(hits).as("%s in %s", rule, r.findings()).hasSize(1);
        return hits.get(0);
    }

    private static LintReport lint(Linter l, String sql) {
        return l.lint(List.of(new SqlSource("m.sql", sql)));
    }

    private static List<String> rules(String sql) {
        return lint(Linter.offline(), sql).findings().stream().map(LintFinding::rule).toList();
    }
}
