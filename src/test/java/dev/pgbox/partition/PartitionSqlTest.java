package dev.pgbox.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.schema.SqlParser;
import dev.pgbox.security.Rls.TableName;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SQL convert builds: quoted names, bound values, and the shape the races need. */
class PartitionSqlTest {
    static final TableName OLD = TableName.parse("public.orders");
    static final TableName COPY = TableName.parse("public.orders_pgbox_new");

    @Test
    void theNewKeyHoldsThePartitionColumn() {
        assertThat(PartitionSql.newPrimaryKey(List.of("id"), "created_at")).containsExactly("id", "created_at");
        assertThat(PartitionSql.newPrimaryKey(List.of("id", "created_at"), "created_at")).containsExactly("id", "created_at");
        assertThat(PartitionSql.newPrimaryKey(List.of("tenant", "id"), "created_at")).containsExactly("tenant", "id", "created_at");
    }

    @Test
    void batchesLockTheirRowsWithoutWaitingAndSkipRowsTheTriggerAlreadyCopied() {
        String first = PartitionSql.batch(OLD, COPY, List.of("id", "note", "created_at"), List.of("id"), List.of("bigint"), true);
        assertThat(first).contains("FROM ONLY \"public\".\"orders\" ORDER BY \"id\" LIMIT $1 FOR SHARE NOWAIT",
                "OVERRIDING SYSTEM VALUE", "ON CONFLICT DO NOTHING").doesNotContain("$2");
        String next = PartitionSql.batch(OLD, COPY, List.of("tenant", "id", "created_at"), List.of("tenant", "id"),
                List.of("uuid", "bigint"), false);
        assertThat(next).contains("WHERE (\"tenant\", \"id\") > ($1::uuid, $2::bigint) ORDER BY \"tenant\", \"id\" LIMIT $3 FOR SHARE NOWAIT",
                "ORDER BY \"tenant\" DESC, \"id\" DESC LIMIT 1");
        // PostgreSQL's own parser accepts both
        assertThat(SqlParser.parse("batch", first).statements()).hasSize(1);
        assertThat(SqlParser.parse("batch", next).statements()).hasSize(1);
    }

    @Test
    void theMirrorDeletesByKeyAndPartitionColumnAndReinserts() {
        String f = PartitionSql.mirrorFunction("\"public\".\"orders_pgbox_mirror\"", COPY, List.of("id", "created_at", "note"), List.of("id"),
                "created_at");
        assertThat(f).contains("SECURITY DEFINER SET search_path = pg_catalog, pg_temp",
                "DELETE FROM \"public\".\"orders_pgbox_new\" WHERE \"id\" = OLD.\"id\" AND \"created_at\" = OLD.\"created_at\";",
                "INSERT INTO \"public\".\"orders_pgbox_new\" (\"id\", \"created_at\", \"note\") OVERRIDING SYSTEM VALUE VALUES"
                        + " (NEW.\"id\", NEW.\"created_at\", NEW.\"note\");",
                "TRUNCATE \"public\".\"orders_pgbox_new\";");
        assertThat(SqlParser.parse("mirror", f).statements()).hasSize(1);
        String t = PartitionSql.mirrorTriggers("pgbox_mirror", OLD, "\"public\".\"orders_pgbox_mirror\"");
        assertThat(SqlParser.parse("triggers", t).statements()).extracting(s -> s.kind()).containsExactly("CreateTrigStmt", "CreateTrigStmt");
        assertThat(t).contains("AFTER INSERT OR UPDATE OR DELETE ON \"public\".\"orders\" FOR EACH ROW",
                "AFTER TRUNCATE ON \"public\".\"orders\" FOR EACH STATEMENT");
    }

    @Test
    void theCopyIsALikeOfTheOldTablePartitionedByRange() {
        String sql = PartitionSql.createCopy(OLD, COPY, "created_at");
        assertThat(sql).startsWith("CREATE TABLE \"public\".\"orders_pgbox_new\" (LIKE \"public\".\"orders\" INCLUDING DEFAULTS")
                .contains("INCLUDING IDENTITY", "INCLUDING GENERATED").endsWith("PARTITION BY RANGE (\"created_at\")")
                .doesNotContain("INCLUDING INDEXES", "INCLUDING ALL");
        assertThat(SqlParser.parse("copy", sql).statements().get(0).kind()).isEqualTo("CreateStmt");
    }

    @Test
    void valuesAreParametersNeverText() {
        assertThat(PartitionSql.CREATE_PARENT).contains("p_type => 'native'", "$1", "$5::text");
        assertThat(PartitionSql.CONFIGURE).contains("infinite_time_partitions = true", "retention_keep_table = false", "$3");
        assertThat(PartitionSql.defaultRows("\"public\".\"t_default\"", 10)).isEqualTo(
                "SELECT count(*) FROM (SELECT 1 FROM ONLY \"public\".\"t_default\" LIMIT 11) s");
    }
}
