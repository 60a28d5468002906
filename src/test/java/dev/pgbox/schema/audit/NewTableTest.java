package dev.pgbox.schema.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import dev.pgbox.schema.SqlParser;
import dev.pgbox.schema.SqlStatement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NewTableTest {
    @Test
    void thePlainTableFollowsTheConvention() {
        String up = NewTable.up(new NewTable.Spec("public", "np_orders", false, false, null));
        assertThat(up).contains("CREATE TABLE public.np_orders (",
                "id uuid PRIMARY KEY DEFAULT gen_random_uuid(),",
                "source_account_id text NOT NULL DEFAULT 'primary',",
                "created_at timestamptz NOT NULL DEFAULT now(),",
                "updated_at timestamptz NOT NULL DEFAULT now()\n);",
                "CREATE INDEX np_orders_source_account_id_idx ON public.np_orders (source_account_id);",
                "CREATE TRIGGER np_orders_updated_at BEFORE UPDATE ON public.np_orders FOR EACH ROW EXECUTE FUNCTION public.np_set_updated_at();");
        assertThat(up).doesNotContain("deleted_at", "tenant_id", "vector", "ROW LEVEL SECURITY");
        assertThat(NewTable.down(new NewTable.Spec("public", "np_orders", false, false, null))).isEqualTo("DROP TABLE public.np_orders;\n");
    }

    @Test
    void everyOptionAddsItsColumnIndexAndPolicy() {
        String up = NewTable.up(new NewTable.Spec("shop", "np_docs", true, true, 1536));
        assertThat(up).contains("tenant_id uuid,", "deleted_at timestamptz", "embedding vector(1536)",
                "CREATE INDEX np_docs_tenant_id_idx ON shop.np_docs (tenant_id);",
                "CREATE INDEX np_docs_active_idx ON shop.np_docs (id) WHERE deleted_at IS NULL;",
                "CREATE INDEX np_docs_embedding_hnsw_idx ON shop.np_docs USING hnsw (embedding vector_cosine_ops)",
                "ALTER TABLE shop.np_docs ENABLE ROW LEVEL SECURITY;", "ALTER TABLE shop.np_docs FORCE ROW LEVEL SECURITY;",
                "CREATE POLICY pgbox_tenant_isolation ON shop.np_docs USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)");
        assertThat(up).doesNotContain("tenant_id uuid NOT NULL");
    }

    @Test
    void theSqlIsWhatPostgresParses() {
        String up = NewTable.up(new NewTable.Spec("public", "np_docs", true, true, 3));
        List<String> kinds = SqlParser.parse("up.sql", up).statements().stream().map(SqlStatement::kind).toList();
        assertThat(kinds).containsExactly("CreateStmt", "IndexStmt", "IndexStmt", "IndexStmt", "IndexStmt", "CreateTrigStmt",
                "AlterTableStmt", "AlterTableStmt", "CreatePolicyStmt", "CommentStmt");
        assertThat(SqlParser.parse("down.sql", NewTable.down(new NewTable.Spec("public", "np_docs", true, true, 3))).statements())
                .extracting(SqlStatement::kind).containsExactly("DropStmt");
    }

    @Test
    void namesFollowIdentifierRules() {
        assertThat(NewTable.parseName("np_orders")).containsExactly("public", "np_orders");
        assertThat(NewTable.parseName("billing.np_orders")).containsExactly("billing", "np_orders");
        for (String bad : List.of("NpOrders", "np-orders", "1np", "", "a.b.c", "np_" + "x".repeat(40), "user", "public.select",
                "partman.np_x", "pg_temp.np_x",
                "np orders; DROP TABLE x")) {
            assertThatThrownBy(() -> NewTable.parseName(bad)).as(bad)
                    .isInstanceOfSatisfying(PgboxException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USAGE));
        }
        assertThat(NewTable.parseName("np_" + "x".repeat(NewTable.MAX_NAME_BYTES - 3))[1]).hasSize(NewTable.MAX_NAME_BYTES);
    }

    @Test
    void aNameWithoutTheNpPrefixIsAllowedWithAWarning() {
        assertThat(NewTable.warning("orders")).contains("np_ prefix");
        assertThat(NewTable.warning("np_orders")).isNull();
    }

    @Test
    void vectorDimensionsMustFitAnHnswIndex() {
        for (int bad : new int[] {0, -1, NewTable.MAX_HNSW_DIMENSIONS + 1}) {
            assertThatThrownBy(() -> new NewTable.Spec("public", "np_x", false, false, bad)).isInstanceOf(PgboxException.class);
        }
        assertThat(new NewTable.Spec("public", "np_x", false, false, NewTable.MAX_HNSW_DIMENSIONS).vector()).isEqualTo(2000);
    }

    @Test
    void writesAMigrationPair(@TempDir Path project) throws Exception {
        NewTable.Scaffold s = NewTable.write(project, new AppName("shop"), new NewTable.Spec("public", "np_orders", true, false, null));
        assertThat(s.files()).hasSize(2);
        assertThat(s.files().get(0).toString()).endsWith("_create_np_orders.up.sql").startsWith(project.resolve("migrations/shop").toString());
        assertThat(Files.readString(s.files().get(0))).isEqualTo(s.up()).contains("deleted_at");
        assertThat(Files.readString(s.files().get(1))).isEqualTo("DROP TABLE public.np_orders;\n");
    }
}
