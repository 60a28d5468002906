package dev.pgbox.schema.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.schema.SqlParser;
import org.junit.jupiter.api.Test;

/** The transaction-mode decision over PostgreSQL's own parse of a migration. */
class ExecutionTest {
    static Execution of(String sql) {
        return Execution.of(SqlParser.parse("m.up.sql", sql));
    }

    @Test
    void ordinaryStatementsRunInOneTransaction() {
        assertThat(of("CREATE TABLE t (id int); CREATE INDEX t_i ON t (id); ANALYZE t; SAVEPOINT a; SET lock_timeout = '1s';"))
                .isEqualTo(Execution.TRANSACTION);
        assertThat(of("-- only a comment\n")).isEqualTo(Execution.TRANSACTION);
    }

    @Test
    void statementsThatRefuseATransactionRunOneByOne() {
        assertThat(of("SET maintenance_work_mem = '1GB';\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS u ON t (a);"))
                .isEqualTo(Execution.STATEMENT_BY_STATEMENT);
        assertThat(of("DROP INDEX CONCURRENTLY IF EXISTS u;")).isEqualTo(Execution.STATEMENT_BY_STATEMENT);
        assertThat(of("REINDEX INDEX CONCURRENTLY u;")).isEqualTo(Execution.STATEMENT_BY_STATEMENT);
        assertThat(of("REINDEX SCHEMA public;")).isEqualTo(Execution.STATEMENT_BY_STATEMENT);
        assertThat(of("VACUUM t;")).isEqualTo(Execution.STATEMENT_BY_STATEMENT);
        assertThat(of("ALTER TABLE p DETACH PARTITION c CONCURRENTLY;")).isEqualTo(Execution.STATEMENT_BY_STATEMENT);
        assertThat(of("ALTER TABLE p DETACH PARTITION c;")).isEqualTo(Execution.TRANSACTION);
    }

    @Test
    void mixingIsRefusedWithTheFixAndBothLines() {
        assertThatThrownBy(() -> of("ALTER TABLE t ADD COLUMN c int;\nCREATE INDEX CONCURRENTLY t_c ON t (c);"))
                .isInstanceOf(PgboxException.class)
                .hasMessageContaining("CREATE INDEX CONCURRENTLY (line 2)").hasMessageContaining("(line 1: ALTER TABLE t ADD COLUMN c int)")
                .satisfies(e -> {
                    PgboxException p = (PgboxException) e;
                    assertThat(p.kind()).isEqualTo(ErrorKind.USAGE);
                    assertThat(p.fix()).contains("put the CREATE INDEX CONCURRENTLY statement in its own migration");
                });
    }

    @Test
    void ownTransactionControlIsRefused() {
        assertThatThrownBy(() -> of("BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;")).isInstanceOf(PgboxException.class)
                .hasMessageContaining("controls its own transaction (line 1");
    }
}
