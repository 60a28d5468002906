package dev.pgbox.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgbox.Json;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The models of db query and app drop, as Json renders them for --json, the agent or HTTP. */
class ServiceModelsJsonTest {
    @Test
    void queryResultHoldsColumnsRowsAndNulls() {
        Query.Result rows = new Query.Result(List.of("id", "v"), List.of(Arrays.asList("1", null)), -1);
        assertThat(rows.hasRows()).isTrue();
        JsonNode j = Json.tree(rows);
        assertThat(j.path("columns").get(1).asText()).isEqualTo("v");
        assertThat(j.path("rows").get(0).get(1).isNull()).isTrue();
        Query.Result update = new Query.Result(null, List.of(), 3);
        assertThat(update.hasRows()).isFalse();
        assertThat(Json.tree(update).has("columns")).isFalse();
        assertThat(Json.tree(update).path("rows_affected").asLong()).isEqualTo(3);
    }

    @Test
    void droppedAppNamesItsRolesAndFinalDump() {
        JsonNode j = Json.tree(new AppRemoval.Dropped("shop", List.of("shop", "shop_owner", "shop_readonly"), null));
        assertThat(j.path("app").asText()).isEqualTo("shop");
        assertThat(j.has("final_dump")).isFalse();
        assertThat(Json.tree(new AppRemoval.Dropped("shop", List.of(), "/b/final-shop")).path("final_dump").asText())
                .isEqualTo("/b/final-shop");
    }
}
