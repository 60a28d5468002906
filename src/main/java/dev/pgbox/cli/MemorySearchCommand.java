package dev.pgbox.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.ErrorKind;
import dev.pgbox.Json;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import dev.pgbox.memory.CollectionName;
import dev.pgbox.memory.Hit;
import dev.pgbox.memory.SearchMode;
import dev.pgbox.memory.SearchRequest;
import dev.pgbox.memory.SearchResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** pgbox memory search. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = {"Search a collection by meaning, words, both (hybrid) or diversified (mmr).",
                "vector: nearest embeddings; text: full-text match (websearch syntax: \"exact phrase\", or, -word) ranked by",
                "ts_rank_cd; hybrid (the default): both rankings fused by reciprocal rank (1 / (k + rank) summed); mmr: the",
                "nearest, re-ranked so near-duplicates give way to other results. Score: higher is better; distance: cosine",
                "distance (0 to 2) for cosine collections."})
final class MemorySearchCommand extends BaseCommand implements Callable<Integer> {
    /** Longest content shown in the table (--json has it whole). */
    static final int SHOWN_CONTENT = 60;
    static final int SHOWN_METADATA = 40;
    /** Strict: "{} junk" is an error, not {}. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Parameters(index = "0", paramLabel = "APP")
    String app;

    @Parameters(index = "1", paramLabel = "COLLECTION")
    String collection;

    @Parameters(index = "2", paramLabel = "QUERY", arity = "0..1", description = "What to search for (may be left out with --vector in vector or mmr mode).")
    String query;

    @Option(names = "--mode", paramLabel = "MODE", description = "vector, text, hybrid or mmr (default: hybrid; vector when only --vector is given).")
    String mode;

    @Option(names = "--limit", paramLabel = "K", description = "How many hits, 1 to 1000 (default: MEMORY_SEARCH_LIMIT, 10).")
    Integer limit;

    @Option(names = "--filter", paramLabel = "JSON", description = "A JSON object the hits' metadata must contain, e.g. '{\"kind\":\"note\"}'.")
    String filter;

    @Option(names = "--tenant", paramLabel = "T", description = "Search as this tenant (required for a collection made with --tenant).")
    String tenant;

    @Option(names = "--max-distance", paramLabel = "D", description = "Leave out hits farther than this distance (vector, hybrid, mmr).")
    Double maxDistance;

    @Option(names = "--rrf-k", paramLabel = "K", description = "Hybrid: reciprocal rank fusion's k (default: MEMORY_RRF_K, 60).")
    Integer rrfK;

    @Option(names = "--lambda", paramLabel = "L", description = "MMR: 1 = relevance only, 0 = diversity only (default: MEMORY_MMR_LAMBDA, 0.5).")
    Double lambda;

    @Option(names = "--fetch-k", paramLabel = "N", description = "Hybrid and mmr: candidates per ranking (default: MEMORY_FETCH_K, else 4 x --limit, at least 40).")
    Integer fetchK;

    @Option(names = "--vector", paramLabel = "JSON_ARRAY", description = "The query's embedding instead of embedding QUERY, e.g. '[0.1, 0.2, ...]'.")
    String vector;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Override
    public Integer call() {
        AppName appName = new AppName(app);
        CollectionName name = new CollectionName(collection);
        SearchRequest request = new SearchRequest(query, vector == null ? null : vector(vector), mode == null ? null : SearchMode.parse(mode),
                limit, filter == null ? null : filter(filter), tenant, maxDistance, rrfK, lambda, fetchK);
        SearchResult result = MemoryCommand.memories(settings()).search(appName, name, request);
        if (json) {
            out().println(Json.render(result));
        } else {
            out().println(table(result));
        }
        return 0;
    }

    /** The hits as a table: rank, score, distance, id, content and metadata, shortened to one line each. */
    static String table(SearchResult r) {
        boolean hybrid = SearchMode.HYBRID.label().equals(r.mode());
        List<String> columns = new ArrayList<>(List.of("rank", "score", "distance", "id", "content", "metadata"));
        if (hybrid) {
            columns.add(3, "vector/text rank");
        }
        List<List<String>> rows = new ArrayList<>();
        int rank = 1;
        for (Hit h : r.hits()) {
            List<String> row = new ArrayList<>(List.of(Integer.toString(rank++), String.format(Locale.ROOT, hybrid ? "%.5f" : "%.4f", h.score()),
                    h.distance() == null ? "" : String.format(Locale.ROOT, "%.4f", h.distance()), h.id(),
                    JobsCommand.shown(h.content(), SHOWN_CONTENT), JobsCommand.shown(h.metadata() == null ? "" : h.metadata().toString(), SHOWN_METADATA)));
            if (hybrid) {
                row.add(3, (h.vectorRank() == null ? "-" : h.vectorRank().toString()) + "/" + (h.textRank() == null ? "-" : h.textRank().toString()));
            }
            rows.add(row);
        }
        return Tables.aligned(columns, rows);
    }

    /** --filter's JSON; whether it is an object the service checks (the API's filter gets the same check). */
    static JsonNode filter(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            // an empty --filter is no JSON at all: let the service refuse it as a non-object
            return node.isMissingNode() ? JSON.getNodeFactory().textNode(text) : node;
        } catch (JsonProcessingException e) {
            throw new PgboxException(ErrorKind.USAGE, "--filter is not valid JSON", e.getOriginalMessage(),
                    "pass a JSON object in single quotes, e.g. --filter '{\"kind\":\"note\"}'");
        }
    }

    /** --vector's JSON array of numbers. */
    static float[] vector(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            node = null;
        }
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new PgboxException(ErrorKind.USAGE, "--vector is not a JSON array of numbers",
                    "--vector takes the query's embedding, e.g. '[0.12, -0.03, ...]'", "pass the numbers your model returned, in brackets");
        }
        float[] v = new float[node.size()];
        for (int i = 0; i < v.length; i++) {
            if (!node.get(i).isNumber()) {
                throw new PgboxException(ErrorKind.USAGE, "--vector holds " + JobsCommand.shown(node.get(i).toString(), 20) + " at position " + (i + 1),
                        "every element of --vector must be a number", "pass the numbers your model returned, in brackets");
            }
            v[i] = node.get(i).floatValue();
        }
        return v;
    }
}
