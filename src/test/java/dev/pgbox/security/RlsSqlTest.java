package dev.pgbox.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.PgboxException;
import dev.pgbox.sql.Placeholders;
import org.junit.jupiter.api.Test;

class RlsSqlTest {
    @Test
    void enablingQuotesIdentifiersAndPassesValuesAsParameters() {
        Rls.Script s = Rls.enableSql(Rls.TableName.parse("docs"), "tenant_id", "uuid");
        assertThat(s.sql()).doesNotContain("'app.tenant_id'", "'pgbox tenant column");
        String sql = Placeholders.inline(s.sql(), s.params().toArray());
        assertThat(sql).contains("ALTER TABLE \"public\".\"docs\" ENABLE ROW LEVEL SECURITY;",
                "ALTER TABLE \"public\".\"docs\" FORCE ROW LEVEL SECURITY;",
                "USING (\"tenant_id\" = NULLIF(current_setting('app.tenant_id', true), '')::uuid)",
                "COMMENT ON POLICY pgbox_tenant_isolation ON \"public\".\"docs\" IS 'pgbox tenant column: tenant_id';",
                "format('CREATE INDEX %I ON %I.%I (%I)', 'docs_tenant_id_idx', 'public', 'docs', 'tenant_id')",
                "i.indrelid = '\"public\".\"docs\"'::regclass AND a.attname = 'tenant_id')\\gexec");
    }

    @Test
    void tableNamesAreCheckedBeforeAnySql() {
        assertThat(Rls.TableName.parse("app.docs").sql()).isEqualTo("\"app\".\"docs\"");
        assertThatThrownBy(() -> Rls.TableName.parse("docs; DROP TABLE x")).isInstanceOf(PgboxException.class);
        assertThatThrownBy(() -> Rls.requireColumn("tenant id")).isInstanceOf(PgboxException.class);
    }
}
