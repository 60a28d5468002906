package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.Json;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.memory.Collection;
import dev.pgbox.memory.CollectionName;
import dev.pgbox.memory.CollectionSpec;
import dev.pgbox.memory.Metric;
import dev.pgbox.memory.embed.Embedders;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** pgbox memory create|list. */
final class MemoryCollectionCommands {
    private MemoryCollectionCommands() {
    }

    /** The app argument: a valid app name (the main database has no collections). */
    static AppName app(Settings s, String app) {
        return new AppName(AppArgument.check(s, app));
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create a collection (the table np_COLLECTION) in an app's database.",
                    "Columns: uuid id, tenant_id, content, metadata (a JSON object), embedding vector(DIM), a generated",
                    "tsvector, created_at/updated_at/deleted_at; an HNSW index on the embedding of live rows, GIN indexes on",
                    "the tsvector and the metadata. --tenant adds row-level security: every read and write names its tenant."})
    static final class Create extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Parameters(index = "1", paramLabel = "COLLECTION", description = "Lowercase letters, digits and _, starting with a letter.")
        String collection;

        @Option(names = "--dim", paramLabel = "N",
                description = "Vector dimension: 384 for the built-in model (the default); required with --model external (e.g. 1536).")
        Integer dim;

        @Option(names = "--metric", paramLabel = "METRIC", defaultValue = "cosine",
                description = "cosine (vectors stored normalised), l2 or ip (inner product) (default: ${DEFAULT-VALUE}).")
        String metric;

        @Option(names = "--tenant", description = "Row-level security by tenant_id: each tenant sees only its own memories.")
        boolean tenant;

        @Option(names = "--text-config", paramLabel = "CONFIG", defaultValue = "english",
                description = "Text search configuration of the full-text column (default: ${DEFAULT-VALUE}; e.g. simple, german).")
        String textConfig;

        @Option(names = "--model", paramLabel = "MODEL",
                description = "all-minilm-l6-v2-q (pgbox embeds the texts) or external (you supply every vector). Default: MEMORY_MODEL.")
        String model;

        @Option(names = "--json", description = "Print the collection as JSON.")
        boolean json;

        @Override
        public Integer call() {
            Settings s = settings();
            AppName a = app(s, app);
            CollectionName name = new CollectionName(collection);
            String m = model != null ? model : s.get(Setting.MEMORY_MODEL);
            boolean external = CollectionSpec.EXTERNAL.equals(m);
            if (external && dim == null) {
                throw new PgboxException(ErrorKind.USAGE, "--model external needs --dim",
                        "pgbox cannot know the length of the vectors you will supply",
                        "pass the length of your model's vectors, e.g. --dim 1536 for OpenAI's text-embedding-3-small");
            }
            int d = dim != null ? dim : Embedders.DEFAULT_DIM;
            Collection c = MemoryCommand.memories(s).create(new CollectionSpec(a, name, d, Metric.parse(metric), tenant, textConfig, m));
            if (json) {
                out().println(Json.render(c));
                return 0;
            }
            out().println("created collection " + c.name() + " in app " + c.app() + ": table " + c.table() + ", " + c.dim() + "-d "
                    + c.metric() + ", model " + c.model() + ", text search " + c.textConfig()
                    + (c.tenant() ? ", row-level security by tenant_id (pass --tenant on every call)" : ""));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The app's collections with their dimension, metric, model and index.")
    static final class ListCollections extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Option(names = "--json", description = "Print as JSON.")
        boolean json;

        @Override
        public Integer call() {
            Settings s = settings();
            List<Collection> all = MemoryCommand.memories(s).list(app(s, app));
            if (json) {
                out().println(Json.render(all));
                return 0;
            }
            if (all.isEmpty()) {
                out().println("no collections in app " + app + " (pgbox memory create " + app + " NAME makes one)");
                return 0;
            }
            List<List<String>> rows = all.stream().map(c -> Arrays.asList(c.name(), c.table(), Integer.toString(c.dim()), c.metric(),
                    c.model(), c.tenant() ? "yes" : "no", c.textConfig(), c.indexType(),
                    c.efSearch() == null ? "default" : c.efSearch().toString(), c.createdAt())).toList();
            out().println(Tables.aligned(List.of("name", "table", "dim", "metric", "model", "tenant", "text", "index", "ef_search",
                    "created"), rows));
            return 0;
        }
    }
}
