package dev.pgbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.memory.Hit;
import dev.pgbox.memory.SearchResult;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemorySearchCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static SearchResult result(String mode, List<Hit> hits) {
        return new SearchResult("shop", "notes", mode, 10, hits, null, 3, "cosine", null, null, null, null, null, null);
    }

    @Test
    void theTableShowsOneLinePerHitShortenedAndWithoutTerminalControl() throws Exception {
        Hit hit = new Hit("6f1c0e9e-0000-4000-8000-000000000001", "first line\nsecond \u001b[2Jline " + "x".repeat(80),
                JSON.readTree("{\"kind\":\"note\"}"), null, 0.87654, 0.12346, 2, null, "2026-12-02T07:00:00Z");
        String table = MemorySearchCommand.table(result("hybrid", List.of(hit)));
        List<String> lines = table.lines().toList();
        assertThat(lines.get(0)).contains("rank", "score", "distance", "vector/text rank", "id", "content", "metadata");
        assertThat(lines.get(2)).contains("1", "0.87654", "0.1235", "2/-", hit.id(), "first line second ?[2Jline", "…", "{\"kind\":\"note\"}");
        assertThat(table).doesNotContain("\u001b").endsWith("(1 row)");
        assertThat(lines).hasSize(4);
        // text mode: no distance, no rank pair
        Hit text = new Hit("id", "words", JSON.readTree("{}"), null, 0.1, null, null, null, "2026-12-02T07:00:00Z");
        String plain = MemorySearchCommand.table(result("text", List.of(text)));
        assertThat(plain.lines().findFirst().orElseThrow()).doesNotContain("vector/text rank");
        assertThat(plain.lines().toList().get(2)).contains("0.1000");
    }

    @Test
    void vectorsAndFiltersAreParsedStrictly() {
        assertThat(MemorySearchCommand.vector("[1, -0.5, 2e-3]")).containsExactly(1f, -0.5f, 0.002f);
        for (String bad : new String[] {"", "1,2", "[]", "{\"a\":1}", "[1, 2"}) {
            assertThatThrownBy(() -> MemorySearchCommand.vector(bad)).isInstanceOf(PgboxException.class)
                    .hasMessageContaining("--vector is not a JSON array of numbers");
        }
        assertThatThrownBy(() -> MemorySearchCommand.vector("[1, \"x\"]")).hasMessageContaining("at position 2");
        assertThat(MemorySearchCommand.filter("{\"kind\":\"note\"}").path("kind").asText()).isEqualTo("note");
        for (String bad : new String[] {"{kind:", "{\"a\":1} trailing"}) {
            assertThatThrownBy(() -> MemorySearchCommand.filter(bad)).isInstanceOf(PgboxException.class)
                    .satisfies(e -> assertThat(((PgboxException) e).kind()).isEqualTo(ErrorKind.USAGE))
                    .hasMessageContaining("--filter is not valid JSON");
        }
        // an empty --filter is no object: the service's check refuses it
        assertThat(MemorySearchCommand.filter("").isTextual()).isTrue();
    }
}
