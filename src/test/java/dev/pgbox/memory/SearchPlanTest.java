package dev.pgbox.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchPlanTest {
    static final SearchPlan.Defaults DEFAULTS = new SearchPlan.Defaults(10, 60, 0.5, null, "relaxed_order", 16000);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static SearchRequest request(String query, SearchMode mode) {
        return new SearchRequest(query, null, mode, null, null, null, null, null, null, null);
    }

    static void usage(ThrowableAssert.ThrowingCallable call, String what) {
        assertThatThrownBy(call).isInstanceOf(PgboxException.class)
                .satisfies(e -> assertThat(((PgboxException) e).kind()).isEqualTo(ErrorKind.USAGE))
                .hasMessageContaining(what);
    }

    @Test
    void defaultsFillWhatTheRequestLeavesOut() {
        SearchPlan p = SearchPlan.of(request("  backups  ", null), DEFAULTS);
        assertThat(p.mode()).isEqualTo(SearchMode.HYBRID);
        assertThat(p.query()).isEqualTo("backups");
        assertThat(p.limit()).isEqualTo(10);
        assertThat(p.fetchK()).isEqualTo(40);
        assertThat(p.rrfK()).isEqualTo(60);
        assertThat(p.lambda()).isEqualTo(0.5);
        assertThat(p.filter()).isNull();
        // fetch_k grows with the limit: 4 x limit
        assertThat(SearchPlan.of(new SearchRequest("q", null, SearchMode.MMR, 25, null, null, null, null, null, null), DEFAULTS).fetchK())
                .isEqualTo(100);
        // a vector alone means vector search
        assertThat(SearchPlan.of(new SearchRequest(null, new float[] {1, 0}, null, null, null, null, null, null, null, null), DEFAULTS).mode())
                .isEqualTo(SearchMode.VECTOR);
        // a configured fetch_k, but never below the limit
        SearchPlan.Defaults fixed = new SearchPlan.Defaults(10, 60, 0.5, 20, "relaxed_order", 16000);
        assertThat(SearchPlan.of(request("q", SearchMode.HYBRID), fixed).fetchK()).isEqualTo(20);
        assertThat(SearchPlan.of(new SearchRequest("q", null, SearchMode.HYBRID, 50, null, null, null, null, null, null), fixed).fetchK())
                .isEqualTo(50);
    }

    @Test
    void emptyQueriesAreRefusedUnlessAVectorStandsIn() {
        usage(() -> SearchPlan.of(request("", SearchMode.TEXT), DEFAULTS), "the search query is empty");
        usage(() -> SearchPlan.of(request("   ", SearchMode.HYBRID), DEFAULTS), "the search query is empty");
        usage(() -> SearchPlan.of(request(null, SearchMode.VECTOR), DEFAULTS), "the search query is empty");
        usage(() -> SearchPlan.of(new SearchRequest(null, new float[] {1}, SearchMode.HYBRID, null, null, null, null, null, null, null),
                DEFAULTS), "the search query is empty");
        assertThat(SearchPlan.of(new SearchRequest(null, new float[] {1}, SearchMode.MMR, null, null, null, null, null, null, null),
                DEFAULTS).query()).isNull();
        usage(() -> SearchPlan.of(request("x".repeat(16001), SearchMode.TEXT), DEFAULTS), "16001 characters long");
    }

    @Test
    void limitsAndKnobsOutsideTheirRangesAreRefused() {
        usage(() -> SearchPlan.of(new SearchRequest("q", null, null, 0, null, null, null, null, null, null), DEFAULTS), "--limit");
        usage(() -> SearchPlan.of(new SearchRequest("q", null, null, 1001, null, null, null, null, null, null), DEFAULTS), "--limit");
        assertThat(SearchPlan.of(new SearchRequest("q", null, null, 1000, null, null, null, null, null, null), DEFAULTS).limit())
                .isEqualTo(1000);
        usage(() -> SearchPlan.of(new SearchRequest("q", null, SearchMode.MMR, 10, null, null, null, null, 1.5, null), DEFAULTS), "--lambda");
        usage(() -> SearchPlan.of(new SearchRequest("q", null, SearchMode.MMR, 10, null, null, null, null, null, 5), DEFAULTS), "--fetch-k");
        usage(() -> SearchPlan.of(new SearchRequest("q", null, SearchMode.HYBRID, 10, null, null, null, 0, null, null), DEFAULTS), "--rrf-k");
        usage(() -> SearchPlan.of(new SearchRequest("q", null, SearchMode.VECTOR, 10, null, null, Double.NaN, null, null, null), DEFAULTS),
                "--max-distance");
        usage(() -> SearchPlan.of(new SearchRequest("q", null, null, null, null, "", null, null, null, null), DEFAULTS), "tenant is empty");
    }

    @Test
    void optionsOfOtherModesAreRefusedRatherThanIgnored() {
        usage(() -> SearchPlan.of(new SearchRequest("q", null, SearchMode.VECTOR, 10, null, null, null, null, 0.2, null), DEFAULTS),
                "--lambda does not apply");
        usage(() -> SearchPlan.of(new SearchRequest("q", null, SearchMode.MMR, 10, null, null, null, 30, null, null), DEFAULTS),
                "--rrf-k does not apply");
        usage(() -> SearchPlan.of(new SearchRequest("q", null, SearchMode.TEXT, 10, null, null, 0.5, null, null, null), DEFAULTS),
                "--max-distance does not apply");
        usage(() -> SearchPlan.of(new SearchRequest("q", null, SearchMode.VECTOR, 10, null, null, null, null, null, 50), DEFAULTS),
                "--fetch-k does not apply");
        usage(() -> SearchPlan.of(new SearchRequest("q", new float[] {1}, SearchMode.TEXT, 10, null, null, null, null, null, null), DEFAULTS),
                "--vector does not apply");
    }

    @Test
    void theFilterMustBeAJsonObject() throws Exception {
        assertThat(SearchPlan.filter(JSON.readTree("{\"kind\":\"note\",\"n\":[1]}"))).isEqualTo("{\"kind\":\"note\",\"n\":[1]}");
        assertThat(SearchPlan.filter(JSON.readTree("{}"))).isNull();
        assertThat(SearchPlan.filter(null)).isNull();
        for (String bad : new String[] {"[1,2]", "\"note\"", "3", "true"}) {
            JsonNode n = JSON.readTree(bad);
            usage(() -> SearchPlan.filter(n), "--filter must be a JSON object, e.g. {\"kind\":\"note\"}");
        }
    }

    @Test
    void aTenancyCollectionIsOnlySearchedAsATenant() {
        Collection shared = new Collection("shop", "notes", "public.np_notes", 3, "cosine", true, "external", "english", "hnsw", null, null,
                null, "2026-12-02T00:00:00Z");
        usage(() -> SearchPlan.of(request("q", SearchMode.TEXT), DEFAULTS).checkAgainst(shared), "keeps memories per tenant");
        SearchPlan.of(new SearchRequest("q", null, SearchMode.TEXT, null, null, "t1", null, null, null, null), DEFAULTS).checkAgainst(shared);
    }

    @Test
    void defaultsComeFromTheSettingsAndOutOfRangeOnesAreConfigErrors() throws IOException {
        Files.writeString(dir.resolve(".env.dev"), "MEMORY_MMR_LAMBDA=0.7\nMEMORY_SEARCH_LIMIT=5\nMEMORY_FETCH_K=64\n");
        SearchPlan.Defaults d = SearchPlan.Defaults.of(Settings.load(dir, null, Map.of()));
        assertThat(d).isEqualTo(new SearchPlan.Defaults(5, 60, 0.7, 64, "relaxed_order", 16000));
        Files.writeString(dir.resolve(".env.dev"), "MEMORY_MMR_LAMBDA=1.5\n");
        assertThatThrownBy(() -> SearchPlan.Defaults.of(Settings.load(dir, null, Map.of())))
                .satisfies(e -> assertThat(((PgboxException) e).kind()).isEqualTo(ErrorKind.CONFIG)).hasMessageContaining("MEMORY_MMR_LAMBDA");
        Files.writeString(dir.resolve(".env.dev"), "MEMORY_SEARCH_LIMIT=0\n");
        assertThatThrownBy(() -> SearchPlan.Defaults.of(Settings.load(dir, null, Map.of())))
                .satisfies(e -> assertThat(((PgboxException) e).kind()).isEqualTo(ErrorKind.CONFIG)).hasMessageContaining("MEMORY_SEARCH_LIMIT");
    }
}
