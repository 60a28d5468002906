package dev.pgbox.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgbox.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolConsoleTest {

    @Test
    void readsColumnsByNameWhateverTheirOrderAndLeavesMissingOnesAtZero() {
        // PgBouncer 1.18's SHOW POOLS has cl_active_cancel_req between cl_waiting and sv_active; a later one may move them
        List<Map<String, String>> rows = PoolConsole.byName(List.of(
                List.of("database", "user", "cl_waiting", "cl_active", "pool_mode", "sv_active"),
                List.of("shop", "shop", "3", "7", "transaction", "2")));
        assertThat(rows).hasSize(1);
        assertThat(PoolConsole.number(rows.get(0), "cl_active")).isEqualTo(7);
        assertThat(PoolConsole.number(rows.get(0), "cl_waiting")).isEqualTo(3);
        assertThat(PoolConsole.number(rows.get(0), "sv_idle")).isZero();
        assertThat(rows.get(0).get("pool_mode")).isEqualTo("transaction");
    }

    @Test
    void anEmptyAnswerHasNoRows() {
        assertThat(PoolConsole.byName(List.of())).isEmpty();
        assertThat(PoolConsole.byName(List.of(List.of("database", "user")))).isEmpty();
    }

    @Test
    void theReportSumsThePoolsAndRendersInSnakeCase() {
        PoolReport r = PoolReport.of(6432, List.of(
                new PoolStatus("shop", "shop", 10, 4, 3, 1, 0, 0.25, "transaction"),
                new PoolStatus("shop-session", "shop", 2, 0, 2, 0, 1, 0, "session")),
                List.of(new PoolReport.Traffic("shop", 100, 120, 1500, 30)));
        assertThat(r.clientsActive()).isEqualTo(12);
        assertThat(r.clientsWaiting()).isEqualTo(4);
        assertThat(r.serverConnections()).isEqualTo(7);
        assertThat(r.longestWaitSeconds()).isEqualTo(0.25);
        JsonNode j = Json.tree(r);
        assertThat(j.path("pools").get(0).fieldNames()).toIterable().containsExactly("database", "user", "cl_active", "cl_waiting",
                "sv_active", "sv_idle", "sv_used", "maxwait", "pool_mode");
        assertThat(j.path("traffic").get(0).fieldNames()).toIterable().containsExactly("database", "total_xact_count",
                "total_query_count", "avg_query_time", "avg_wait_time");
        assertThat(j.path("clients_waiting").asLong()).isEqualTo(4);
    }
}
