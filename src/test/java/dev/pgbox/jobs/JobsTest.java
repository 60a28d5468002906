package dev.pgbox.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.schema.SqlSyntaxException;
import org.junit.jupiter.api.Test;

/** What 'jobs add' checks before anything reaches the server. */
class JobsTest {
    @Test
    void schedulesAreFiveCronFieldsWithoutSeconds() {
        assertThat(Jobs.checkSchedule(" */10   * * * * ")).isEqualTo("*/10 * * * *");
        for (String bad : new String[] {"5 seconds", "* * * *", "61 * * * *", "", "@daily"}) {
            assertThatThrownBy(() -> Jobs.checkSchedule(bad)).as(bad).isInstanceOf(PgboxException.class)
                    .satisfies(e -> assertThat(((PgboxException) e).kind()).isEqualTo(ErrorKind.USAGE));
        }
    }

    @Test
    void unparsableSqlIsRefusedWithLineAndColumn() {
        assertThatThrownBy(() -> Jobs.checkCommand("shop:x", "SELECT 1;\nDELETE FRM t"))
                .isInstanceOf(SqlSyntaxException.class)
                .satisfies(e -> assertThat(((SqlSyntaxException) e).line()).isEqualTo(2));
    }

    @Test
    void statementsThatCannotRunInATransactionMustBeAlone() {
        Jobs.checkCommand("shop:x", "REINDEX INDEX CONCURRENTLY i");
        Jobs.checkCommand("shop:x", "VACUUM t");
        Jobs.checkCommand("shop:x", "DELETE FROM t WHERE a < now(); ANALYZE t");
        for (String bad : new String[] {"SELECT 1; VACUUM t", "SELECT 1; REINDEX INDEX CONCURRENTLY i",
                "SELECT 1; CREATE INDEX CONCURRENTLY i ON t (a)", "BEGIN; SELECT 1; COMMIT"}) {
            assertThatThrownBy(() -> Jobs.checkCommand("shop:x", bad)).as(bad).isInstanceOf(PgboxException.class)
                    .hasMessageContaining("cannot run with other statements");
        }
        assertThatThrownBy(() -> Jobs.checkCommand("shop:x", "  ")).isInstanceOf(PgboxException.class);
        assertThatThrownBy(() -> Jobs.checkCommand("shop:x", "-- only a comment")).isInstanceOf(PgboxException.class);
    }
}
