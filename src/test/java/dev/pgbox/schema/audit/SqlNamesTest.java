package dev.pgbox.schema.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SqlNamesTest {
    @Test
    void plainNamesStayBareOthersAreQuoted() {
        assertThat(SqlNames.name("np_users")).isEqualTo("np_users");
        assertThat(SqlNames.name("user")).isEqualTo("\"user\"");
        assertThat(SqlNames.name("Orders")).isEqualTo("\"Orders\"");
        assertThat(SqlNames.name("a\"b")).isEqualTo("\"a\"\"b\"");
        assertThat(SqlNames.qualified("public", "order")).isEqualTo("public.\"order\"");
    }

    @Test
    void indexNamesAreCutToSixtyThreeBytesAndNumberedWhenTaken() {
        assertThat(SqlNames.indexName("orders", List.of("customer_id"), "idx", n -> false)).isEqualTo("orders_customer_id_idx");
        Set<String> taken = Set.of("orders_customer_id_idx", "orders_customer_id_idx1");
        assertThat(SqlNames.indexName("orders", List.of("customer_id"), "idx", taken::contains)).isEqualTo("orders_customer_id_idx2");
        String longName = SqlNames.indexName("t".repeat(60), List.of("ü".repeat(10)), "idx", n -> false);
        assertThat(longName.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(63);
        assertThat(longName).endsWith("_idx").startsWith("ttt");
    }
}
