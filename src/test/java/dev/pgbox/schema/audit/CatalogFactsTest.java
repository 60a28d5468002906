package dev.pgbox.schema.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.PgboxException;
import org.junit.jupiter.api.Test;

class CatalogFactsTest {
    @Test
    void parsesTheCatalogDocumentWithItsNulls() {
        CatalogFacts f = CatalogFacts.parse("shop", """
                {"updated_at_function": true, "taken": ["public.logs", "public.orders_pkey"],
                 "tables": [{"schema": "public", "name": "logs", "partitioned": false, "rls": true, "force_rls": false, "building": false,
                   "columns": [{"name": "line", "type": "text", "not_null": false, "default": null}],
                   "primary_key": null, "update_triggers": [],
                   "indexes": [{"name": "logs_expr", "valid": true, "unique": false, "primary": false, "constraint": false,
                     "signature": "btree|1|0", "first_column": null, "predicate": null, "definition": "CREATE INDEX ..."}],
                   "foreign_keys": [{"name": "logs_fk", "columns": ["a", "b"], "indexed": false}]}]}
                """);
        assertThat(f.updatedAtFunction()).isTrue();
        assertThat(f.taken()).containsExactlyInAnyOrder("public.logs", "public.orders_pkey");
        CatalogFacts.Table t = f.tables().get(0);
        assertThat(t.sql()).isEqualTo("public.logs");
        assertThat(t.primaryKey()).isNull();
        assertThat(t.column("line").defaultExpr()).isNull();
        assertThat(t.indexes().get(0).firstColumn()).isNull();
        assertThat(t.foreignKeys().get(0).columns()).containsExactly("a", "b");
        assertThat(t.rls()).isTrue();
        assertThat(t.forceRls()).isFalse();
    }

    @Test
    void theQuerySkipsExtensionsAndTheirSchemasAndReusesTheSharedIndexRules() {
        String sql = CatalogFacts.sql();
        assertThat(sql).contains("'partman', 'cron', 'pgbox'", "d.deptype = 'e'", "NOT c.relispartition",
                "string_to_array(i.indkey::text, ' ')::int2[]");
    }

    @Test
    void unreadableOutputIsAnSqlError() {
        assertThatThrownBy(() -> CatalogFacts.parse("shop", "ERROR: nope {")).isInstanceOf(PgboxException.class)
                .hasMessageContaining("shop");
    }
}
