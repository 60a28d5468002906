package dev.pgbox.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.apps.AppName;
import dev.pgbox.schema.ParsedSql;
import dev.pgbox.schema.SqlParser;
import org.junit.jupiter.api.Test;

/** The default jobs' SQL: parsed by PostgreSQL's own parser, so a typo fails here, not at 3 a.m. in a worker. */
class JobCommandsTest {
    @Test
    void partmanRunsAsTheOwnerWithALockTimeoutAndNoCommitInside() {
        String sql = JobCommands.partman(new AppName("shop"), 5000);
        ParsedSql p = SqlParser.parse("partman", sql);
        assertThat(p.statements()).extracting(s -> s.kind()).containsExactly("VariableSetStmt", "VariableSetStmt", "SelectStmt");
        assertThat(sql).startsWith("SET ROLE \"shop_owner\";").contains("lock_timeout = '5000ms'")
                .contains("partman.run_maintenance(p_analyze := false)").doesNotContain("run_maintenance_proc");
    }

    @Test
    void purgeIsOneDoBlockThatCommitsEachBatch() {
        String sql = JobCommands.purge(90L * 86400, 5000);
        ParsedSql p = SqlParser.parse("purge", sql);
        assertThat(p.statements()).hasSize(1);
        assertThat(p.statements().get(0).kind()).isEqualTo("DoStmt");
        assertThat(sql).contains("make_interval(secs => 7776000)").contains("LIMIT $2").contains("COMMIT;")
                .contains("EXIT WHEN n < 5000").contains("has_table_privilege(c.oid, 'DELETE')").contains("(tableoid, ctid)");
    }

    @Test
    void reindexIsAloneAndQuoted() {
        String sql = JobCommands.reindex("public", "np_docs \"x\"");
        ParsedSql p = SqlParser.parse("reindex", sql);
        assertThat(p.statements()).hasSize(1);
        assertThat(p.statements().get(0).kind()).isEqualTo("ReindexStmt");
        assertThat(sql).isEqualTo("REINDEX INDEX CONCURRENTLY \"public\".\"np_docs \"\"x\"\"\"");
    }

    @Test
    void catalogQueriesParse() {
        for (String q : new String[] {JobCommands.SOFT_DELETE_TABLES, JobCommands.VECTOR_INDEXES, JobCommands.PARTMAN_PARENTS,
                JobCommands.historyPurge(604800)}) {
            assertThat(SqlParser.parse("q", q).statements()).hasSize(1);
        }
        assertThat(JobCommands.historyPurge(604800)).contains("cron.job_run_details").contains("604800");
    }
}
