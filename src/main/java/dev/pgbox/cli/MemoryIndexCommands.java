package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.Json;
import dev.pgbox.Progress;
import dev.pgbox.apps.AppName;
import dev.pgbox.config.Size;
import dev.pgbox.memory.CollectionName;
import dev.pgbox.memory.IndexOptions;
import dev.pgbox.memory.IndexReport;
import dev.pgbox.memory.TuneOptions;
import dev.pgbox.memory.TuneReport;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** pgbox memory index|tune. */
final class MemoryIndexCommands {
    private MemoryIndexCommands() {
    }

    @Command(name = "index", mixinStandardHelpOptions = true, description = {
            "Build the vector index with parameters chosen for the collection's size.",
            "HNSW: m 16 (24 from a million rows), ef_construction 64 (128 from 100,000 rows, or when the last tune needed",
            "ef_search 200 or more); IVFFlat: lists = rows / 1000 (sqrt(rows) above a million). Options given win.",
            "The build's memory is estimated; when it does not fit maintenance_work_mem, that is raised for this build only,",
            "up to the planned RAM minus shared_buffers minus max_connections x work_mem. The new index is built",
            "CONCURRENTLY beside the old one, which serves searches until the new one replaces it. Run 'memory tune' after."})
    static final class Index extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Parameters(index = "1", paramLabel = "COLLECTION")
        String collection;

        @Option(names = "--type", paramLabel = "hnsw|ivfflat", description = "Index type (default: the collection's current one, hnsw).")
        String type;

        @Option(names = "--m", paramLabel = "N", description = "HNSW: neighbours per node, 2 to 100.")
        Integer m;

        @Option(names = "--ef-construction", paramLabel = "N", description = "HNSW: candidates while building, 4 to 1000, at least 2 x m.")
        Integer efConstruction;

        @Option(names = "--lists", paramLabel = "N", description = "IVFFlat: clusters, 1 to 32768.")
        Integer lists;

        @Option(names = "--dry-run", description = "Print the choice and the memory check; build nothing.")
        boolean dryRun;

        @Option(names = "--json", description = "Print as JSON.")
        boolean json;

        @Override
        public Integer call() {
            AppName a = new AppName(app);
            CollectionName n = new CollectionName(collection);
            Progress progress = json ? Progress.SILENT : console();
            IndexReport r = MemoryCommand.memories(settings()).index(a, n, new IndexOptions(type, m, efConstruction, lists, dryRun), progress);
            if (json) {
                out().println(Json.render(r));
                return 0;
            }
            String params = r.type().equals("hnsw") ? "hnsw m=" + r.m() + " ef_construction=" + r.efConstruction() : "ivfflat lists=" + r.lists();
            out().println((r.built() ? "built " : "would build ") + r.index() + ": " + params + " over " + r.rows() + " rows of " + r.dim()
                    + " dimensions (" + r.metric() + ")");
            for (String why : r.reasons()) {
                out().println("  " + why);
            }
            out().println("  memory: " + r.memory());
            out().println("  parallel maintenance workers: up to " + r.parallelWorkers()
                    + (r.currentIndexBytes() == null ? "" : "; the index before: " + Size.human(r.currentIndexBytes()) + " on disk"));
            if (r.built()) {
                out().println("  " + r.definition());
                out().println("next: pgbox memory tune " + r.app() + " " + r.collection() + " (the search width for your recall target)");
            }
            return 0;
        }
    }

    @Command(name = "tune", mixinStandardHelpOptions = true, description = {
            "Set the lowest ef_search (or probes) that meets a recall target.",
            "Samples live rows' embeddings as queries, finds their exact k nearest neighbours (sequential scan), then",
            "measures recall@k and the mean query time through the index for rising ef_search (ivfflat: probes) and saves",
            "the first value that meets --recall; every search then uses it. Exit code 11 when no value meets the target",
            "(nothing is saved): rebuild the index denser with 'pgbox memory index'."})
    static final class Tune extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Parameters(index = "1", paramLabel = "COLLECTION")
        String collection;

        @Option(names = "--recall", paramLabel = "R", description = "Target recall@k, e.g. 0.95 (default: MEMORY_RECALL_TARGET).")
        Double recall;

        @Option(names = "--samples", paramLabel = "N", description = "Query vectors to measure (default: MEMORY_TUNE_SAMPLES).")
        Integer samples;

        @Option(names = "--k", paramLabel = "K", description = "Neighbours per query (default: 10).")
        Integer k;

        @Option(names = "--tenant", paramLabel = "T", description = "For a collection with tenants: measure on this tenant's memories.")
        String tenant;

        @Option(names = "--json", description = "Print as JSON.")
        boolean json;

        @Override
        public Integer call() {
            AppName a = new AppName(app);
            CollectionName n = new CollectionName(collection);
            Progress progress = json ? Progress.SILENT : console();
            TuneReport r = MemoryCommand.memories(settings()).tune(a, n, new TuneOptions(recall, samples, k, tenant), progress);
            int code = r.met() ? 0 : ErrorKind.FINDINGS.exitCode();
            if (json) {
                out().println(Json.render(r));
                return code;
            }
            out().println(Tables.aligned(java.util.List.of(r.setting(), "recall@" + r.k(), "mean ms"), r.steps().stream()
                    .map(s -> java.util.List.of(Integer.toString(s.value()), String.format(Locale.ROOT, "%.3f", s.recall()),
                            String.format(Locale.ROOT, "%.2f", s.meanMillis())))
                    .toList()));
            if (r.met()) {
                out().println(String.format(Locale.ROOT, "set %s = %d for %s/%s: recall@%d %.3f >= %s over %d queries%s", r.setting(), r.chosen(),
                        r.app(), r.collection(), r.k(), r.recall(), r.target(), r.samples(),
                        r.previous() == null ? "" : " (was " + r.previous() + ")"));
            } else {
                out().println(String.format(Locale.ROOT, "no %s meets recall@%d >= %s (best %.3f); nothing saved", r.setting(), r.k(), r.target(),
                        r.recall()));
                out().println("fix: " + r.suggestion());
            }
            return code;
        }
    }
}
