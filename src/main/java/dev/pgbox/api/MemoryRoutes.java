package dev.pgbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import dev.pgbox.config.Setting;
import dev.pgbox.memory.Collection;
import dev.pgbox.memory.CollectionName;
import dev.pgbox.memory.CollectionSpec;
import dev.pgbox.memory.Memories;
import dev.pgbox.memory.Memory;
import dev.pgbox.memory.Metric;
import dev.pgbox.memory.NewMemory;
import dev.pgbox.memory.SearchMode;
import dev.pgbox.memory.SearchRequest;
import dev.pgbox.memory.embed.Embedders;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The memory routes under {@code /v1/apps/{app}/collections}: the same operations as 'pgbox memory',
 * through the same {@link Memories} service, with JSON in and out. Every field a body may hold is
 * listed (an unknown one is refused); defaults are the CLI's.
 */
final class MemoryRoutes {
    static final String COLLECTIONS = "/v1/apps/{app}/collections";
    static final String COLLECTION = COLLECTIONS + "/{collection}";
    static final String MEMORIES = COLLECTION + "/memories";
    static final String MEMORY = MEMORIES + "/{id}";
    static final String SEARCH = COLLECTION + "/search";

    static final Set<String> CREATE_FIELDS = Set.of("name", "dim", "metric", "tenant", "text_config", "model");
    static final Set<String> MEMORY_FIELDS = Set.of("content", "metadata", "tenant", "id", "vector");
    static final Set<String> BATCH_FIELDS = Set.of("memories", "tenant");
    static final Set<String> SEARCH_FIELDS = Set.of("query", "vector", "mode", "limit", "filter", "tenant", "max_distance", "rrf_k",
            "lambda", "fetch_k");
    /** The text search configuration of a new collection when the call names none. */
    static final String DEFAULT_TEXT_CONFIG = "english";
    /** The most memories one call adds: bigger loads belong to 'pgbox memory import'. */
    static final int MAX_BATCH = 1000;
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** The list of an app's collections. */
    record CollectionList(String app, List<Collection> collections) {
    }

    /** The ids of added memories, in the order given. */
    record Added(String app, String collection, List<String> ids) {
    }

    /** A deleted memory: soft (deleted_at set, purged later) unless {@code hard}. */
    record Deleted(String app, String collection, String id, boolean hard, Memory memory) {
    }

    private final Memories memories;

    MemoryRoutes(Memories memories) {
        this.memories = memories;
    }

    List<Route> routes() {
        return List.of(
                new Route("GET", COLLECTIONS, 200, c -> new CollectionList(app(c).value(), memories.list(app(c)))),
                new Route("POST", COLLECTIONS, 201, c -> memories.create(spec(app(c), c.json()))),
                new Route("GET", COLLECTION, 200, c -> memories.describe(app(c), collection(c))),
                new Route("POST", MEMORIES, 201, c -> new Added(app(c).value(), collection(c).value(),
                        memories.add(app(c), collection(c), newMemories(c.json())))),
                new Route("GET", MEMORY, 200, c -> memories.get(app(c), collection(c), id(c), c.query("tenant"))),
                new Route("DELETE", MEMORY, 200, c -> new Deleted(app(c).value(), collection(c).value(), id(c), c.flag("hard"),
                        memories.delete(app(c), collection(c), id(c), c.query("tenant"), c.flag("hard")))),
                new Route("POST", SEARCH, 200, c -> memories.search(app(c), collection(c), search(c.json()))));
    }

    private static AppName app(Call c) {
        return new AppName(c.path("app"));
    }

    private static CollectionName collection(Call c) {
        return new CollectionName(c.path("collection"));
    }

    private static String id(Call c) {
        String id = c.path("id");
        if (!UUID.matcher(id).matches()) {
            throw new PgboxException(ErrorKind.USAGE, "'" + shown(id) + "' is not a memory id", "memory ids are uuids",
                    "use an id an add or a search returned, e.g. 0b6c1c52-5f43-4d7e-9f0e-2a1d7c1e9b11");
        }
        return id.toLowerCase(java.util.Locale.ROOT);
    }

    CollectionSpec spec(AppName app, JsonNode body) {
        Body.object(body, "the collection", CREATE_FIELDS);
        String name = Body.text(body, "name");
        if (name == null) {
            throw new PgboxException(ErrorKind.USAGE, "the collection has no name", "field 'name' is required",
                    "send {\"name\": \"memories\"}");
        }
        String model = Body.text(body, "model");
        if (model == null) {
            model = memories.settings().get(Setting.MEMORY_MODEL);
        }
        Integer dim = Body.integer(body, "dim");
        if (dim == null) {
            if (CollectionSpec.EXTERNAL.equals(model)) {
                throw new PgboxException(ErrorKind.USAGE, "a collection of external vectors needs its dimension",
                        "with model external the caller supplies every vector, so pgbox cannot know their length",
                        "send \"dim\": 1536 (the length of your model's vectors)");
            }
            dim = Embedders.DEFAULT_DIM;
        }
        String metric = Body.text(body, "metric");
        String textConfig = Body.text(body, "text_config");
        Boolean tenant = Body.bool(body, "tenant");
        return new CollectionSpec(app, new CollectionName(name), dim, Metric.parse(metric == null ? "cosine" : metric),
                tenant != null && tenant, textConfig == null ? DEFAULT_TEXT_CONFIG : textConfig, model);
    }

    /** One memory ({content, ...}) or a batch ({"memories": [...], "tenant": T}: the tenant of items naming none). */
    static List<NewMemory> newMemories(JsonNode body) {
        if (body.isObject() && body.has("memories")) {
            Body.object(body, "the batch", BATCH_FIELDS);
            JsonNode items = body.get("memories");
            if (!items.isArray() || items.isEmpty()) {
                throw new PgboxException(ErrorKind.USAGE, "field 'memories' must be a non-empty array", "it holds the memories to add",
                        "send {\"memories\": [{\"content\": \"...\"}, ...]}");
            }
            if (items.size() > MAX_BATCH) {
                throw new PgboxException(ErrorKind.USAGE, "the batch holds " + items.size() + " memories, at most " + MAX_BATCH
                        + " fit one call", "one call is one transaction", "send several calls, or use 'pgbox memory import' for a file");
            }
            String tenant = Body.text(body, "tenant");
            List<NewMemory> out = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                out.add(newMemory(items.get(i), "memories[" + i + "]", tenant));
            }
            return out;
        }
        return List.of(newMemory(body, "the memory", null));
    }

    private static NewMemory newMemory(JsonNode m, String what, String defaultTenant) {
        Body.object(m, what, MEMORY_FIELDS);
        String tenant = Body.text(m, "tenant");
        String id = Body.text(m, "id");
        if (id != null && !UUID.matcher(id).matches()) {
            throw new PgboxException(ErrorKind.USAGE, "the id of " + what + " is not a uuid", "'" + shown(id) + "' was given",
                    "leave 'id' out for a new memory, or send the uuid of the one to replace");
        }
        return new NewMemory(id, Body.text(m, "content"), Body.jsonObject(m, "metadata"), tenant != null ? tenant : defaultTenant,
                Body.vector(m, "vector"));
    }

    static SearchRequest search(JsonNode body) {
        Body.object(body, "the search", SEARCH_FIELDS);
        String mode = Body.text(body, "mode");
        // absent mode and limit: the service's defaults, the CLI's (hybrid, or vector for a vector alone; MEMORY_SEARCH_LIMIT)
        return new SearchRequest(Body.text(body, "query"), Body.vector(body, "vector"), mode == null ? null : SearchMode.parse(mode),
                Body.integer(body, "limit"), Body.jsonObject(body, "filter"), Body.text(body, "tenant"), Body.decimal(body, "max_distance"),
                Body.integer(body, "rrf_k"), Body.decimal(body, "lambda"), Body.integer(body, "fetch_k"));
    }

    /** A value echoed in an error: short and printable. */
    private static String shown(String v) {
        String s = v.length() > 60 ? v.substring(0, 60) + "..." : v;
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
