package dev.pgbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgbox.apps.AppName;
import dev.pgbox.apps.Connections;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.memory.CollectionDdl;
import dev.pgbox.memory.CollectionName;
import dev.pgbox.memory.CollectionSpec;
import dev.pgbox.memory.Metric;
import dev.pgbox.memory.Registry;
import dev.pgbox.memory.Vectors;
import dev.pgbox.memory.embed.Embedder;
import dev.pgbox.memory.embed.Embedders;
import dev.pgbox.sql.Jdbc;
import java.io.BufferedWriter;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The measurements behind bench/memory.sh (issue 12's memory benchmark), on a corpus every Debian
 * machine has offline (see {@link BenchCorpus}):
 * <ol>
 * <li>embedding: texts/s of the built-in model, fed {@code BATCH} texts per call;</li>
 * <li>insert: rows/s loading the embedded rows into a collection ('pgbox memory import' of a JSONL
 * file with the vectors, or JDBC batch inserts as the app's login role when import is not built);</li>
 * <li>queries: held-out query vectors (corpus texts that are not loaded), their exact 10 nearest (brute
 * force in memory, checked against the server's sequential scan on a sample), then recall@10, QPS and p50/p95 at 1 and 4 clients for (a) a default pgvector setup
 * (a copy of the rows with HNSW m 16 / ef_construction 64 on vector_cosine_ops, searched by {@code <=>},
 * ef_search raised from 40 until it reaches pgbox's recall) and (b) what pgbox sets up ('memory index'
 * and 'memory tune --recall', or the collection's own index and an emulated tune when those commands
 * are not built);</li>
 * <li>API: the same vector searches through the agent's HTTP API against raw JDBC, 4 clients.</li>
 * </ol>
 * Every part that needs a piece that is not built says so in one line and is skipped or emulated.
 * The ratio line comes last. Configured by environment variables (see bench/memory.sh).
 *
 * <p>Usage: MemoryBench PROJECT_DIR|- PGBOX_LAUNCHER
 */
public final class MemoryBench {
    private static final String COLLECTION = "bench";
    private static final String DEFAULT_TABLE = "public.bench_default";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int[] LADDER = ladder();
    /** The values 'memory tune' tries (its Ladder.EF_SEARCH for k = 10), for the emulated tune. */
    private static final int[] TUNE_LADDER = {10, 16, 20, 32, 40, 64, 80, 100, 128, 200, 256, 400, 512, 800, 1000};

    private final Path cacheDir = Path.of(env("BENCH_CACHE", "/var/tmp/pgbox-bench"));
    private final int rowsWanted = Integer.parseInt(env("N", "-1"));
    private final int queryCount = Integer.parseInt(env("QUERIES", "500"));
    private final int tuneCount = Integer.parseInt(env("TUNE_QUERIES", "200"));
    private final int exactCheck = Integer.parseInt(env("EXACT_CHECK", "20"));
    private final double seconds = Double.parseDouble(env("SECONDS_EACH", env("SECONDS", "10")));
    private final double warmup = Double.parseDouble(env("WARMUP", "2"));
    private final int batch = Integer.parseInt(env("BATCH", "256"));
    private final int embedSample = Integer.parseInt(env("EMBED_SAMPLE", "2000"));
    private final double recallTarget = Double.parseDouble(env("RECALL", "0.95"));
    private final String appName = env("APP", "bench");
    private final Set<String> parts = new LinkedHashSet<>(Arrays.asList(env("PARTS", "embed,insert,query,api").split("[, ]+")));
    private final Path project;
    private final PgboxCli cli;

    // what the summary prints
    private String embedLine = "embedding: not measured";
    private Double embedRate;
    private String insertLine = "insert: skipped (PARTS has no insert, query or api)";
    private final List<Row> sideBySide = new ArrayList<>();
    private QueryLoad.Stats pgbox4;
    private double pgboxRecall = Double.NaN;
    private String apiLine = "API: skipped (PARTS has no api)";
    private Double apiOverhead;
    private Double apiP95;
    private Double jdbcP95;
    private String ratioLine = "ratio pgbox/default QPS at equal recall: not measured";

    private MemoryBench(Path project, String launcher) {
        this.project = project;
        this.cli = project == null ? null : new PgboxCli(launcher, project);
    }

    public static void main(String[] args) throws Exception {
        Path project = args[0].equals("-") ? null : Path.of(args[0]);
        new MemoryBench(project, args.length > 1 ? args[1] : "pgbox").run();
        System.exit(0); // ONNX Runtime's and the HTTP client's threads would keep the JVM alive
    }

    private void run() throws Exception {
        boolean server = parts.contains("insert") || parts.contains("query") || parts.contains("api");
        if (server && project == null) {
            throw new IllegalArgumentException("PARTS " + parts + " needs a running pgbox project (first argument)");
        }
        say("== corpus");
        BenchCorpus corpus = BenchCorpus.load(cacheDir);
        say("corpus: " + corpus.texts().size() + " texts (" + corpus.origin() + ")");
        List<BenchCorpus.Text> shuffled = corpus.shuffled();
        int available = shuffled.size() - queryCount - tuneCount;
        int rows = rowsWanted < 0 ? available : Math.min(rowsWanted, available);
        if (server) {
            say("split (fixed shuffle, seed " + BenchCorpus.SEED + "): " + queryCount + " held-out query texts, " + tuneCount
                    + " held-out texts for an emulated tune, " + rows + " rows loaded" + (rowsWanted < 0 ? " (N: all)" : " (N=" + rowsWanted + ")"));
        }
        List<float[]> vectors = embed(corpus, shuffled, server ? queryCount + tuneCount + rows : 0);
        if (server) {
            serverParts(shuffled, vectors, rows);
        }
        summary(server ? rows : 0);
    }

    // ---- embedding

    private List<float[]> embed(BenchCorpus corpus, List<BenchCorpus.Text> shuffled, int need) throws Exception {
        say("");
        say("== embedding (" + Embedders.DEFAULT_MODEL + ", in-process, " + batch + " texts per embed() call)");
        long t0 = System.nanoTime();
        Embedder e = Embedders.named(Embedders.DEFAULT_MODEL);
        e.embed("warm up");
        say(String.format(Locale.ROOT, "model loaded and warmed up in %.1f s", secs(t0)));
        EmbeddingCache cache = new EmbeddingCache(cacheDir, e.model(), corpus.sha(), e.dim());
        List<float[]> vectors = new ArrayList<>(cache.read(need));
        int cached = vectors.size();
        int fresh = need - cached;
        if (need > 0) {
            say("cache " + cache.file() + ": " + cached + " of the " + need + " vectors needed" + (fresh > 0 ? ", embedding " + fresh : ""));
        }
        if (fresh > 0) {
            long t1 = System.nanoTime();
            while (vectors.size() < need) {
                int to = Math.min(need, vectors.size() + 4096);
                List<float[]> chunk = embedTexts(e, shuffled.subList(vectors.size(), to));
                cache.append(vectors.size(), chunk);
                vectors.addAll(chunk);
                double s = secs(t1);
                System.err.printf(Locale.ROOT, "  embedded %d/%d (%.0f texts/s)%n", vectors.size() - cached, fresh, (vectors.size() - cached) / s);
            }
            double s = secs(t1);
            if (fresh >= embedSample) {
                embedRate = fresh / s;
                embedLine = String.format(Locale.ROOT, "embedding: %,.0f texts/s (%,d corpus texts, not cached yet, in %.1f s; %d per call)",
                        embedRate, fresh, s, batch);
            }
        }
        if (embedRate == null && parts.contains("embed")) {
            List<BenchCorpus.Text> sample = shuffled.subList(0, Math.min(embedSample, shuffled.size()));
            long t1 = System.nanoTime();
            embedTexts(e, sample);
            double s = secs(t1);
            embedRate = sample.size() / s;
            embedLine = String.format(Locale.ROOT, "embedding: %,.0f texts/s (a sample of %,d corpus texts in %.1f s; %d per call%s)", embedRate,
                    sample.size(), s, batch, need > 0 ? "; the loaded rows' vectors came from the cache" : "");
        } else if (embedRate == null) {
            embedLine = "embedding: skipped (PARTS has no 'embed'; vectors came from the cache)";
        }
        say(embedLine);
        return vectors;
    }

    private List<float[]> embedTexts(Embedder e, List<BenchCorpus.Text> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i += batch) {
            List<String> b = texts.subList(i, Math.min(texts.size(), i + batch)).stream().map(BenchCorpus.Text::text).toList();
            for (float[] v : e.embed(b)) {
                out.add(Vectors.normalised(v));
            }
        }
        return out;
    }

    // ---- the server parts

    private void serverParts(List<BenchCorpus.Text> shuffled, List<float[]> vectors, int rows) throws Exception {
        Settings settings = Settings.load(project, null, Map.of());
        Server server = Server.open(settings);
        AppName app = new AppName(appName);
        Jdbc.Target login = Connections.login(server, new Connections.As(app, false)).target();
        Jdbc.Target owner = Connections.login(server, new Connections.As(app, true)).target();
        String[] queries = literals(vectors.subList(0, queryCount));
        String[] tuneQueries = literals(vectors.subList(queryCount, queryCount + tuneCount));
        int first = queryCount + tuneCount;

        say("");
        say("== insert (" + rows + " rows of " + Embedders.DEFAULT_DIM + "-d vectors into collection '" + COLLECTION + "' of app '" + appName + "')");
        createCollection(owner, app);
        load(login, owner, shuffled.subList(first, first + rows), vectors.subList(first, first + rows));

        if (!parts.contains("query") && !parts.contains("api")) {
            return;
        }
        VectorSetup pgbox = new VectorSetup("pgbox", new CollectionName(COLLECTION).sql(), "WHERE deleted_at IS NULL", Metric.COSINE.operator());
        say("");
        say("== exact neighbours");
        long t0 = System.nanoTime();
        List<float[]> loaded = vectors.subList(first, first + rows);
        List<double[]> exact = ExactNeighbours.of(loaded, vectors.subList(0, queryCount), VectorSetup.K);
        say(String.format(Locale.ROOT, "exact top-%d of %d held-out queries by brute force in memory: %.1f s", VectorSetup.K, queryCount, secs(t0)));
        int checked = Math.min(exactCheck, queryCount);
        t0 = System.nanoTime();
        List<double[]> seq = pgbox.exact(login, Arrays.copyOf(queries, checked));
        double agree = 0;
        for (int i = 0; i < checked; i++) {
            agree += VectorSetup.recallOf(seq.get(i), exact.get(i));
        }
        say(String.format(Locale.ROOT, "checked against the server's sequential scan on %d of them (%.0f ms each): agreement %.3f", checked,
                secs(t0) * 1000 / Math.max(1, checked), agree / Math.max(1, checked)));
        if (agree < checked - 1e-9) {
            say("  WARNING: the in-memory truth and the table differ; recall numbers below are not trustworthy");
        }

        say("");
        say("== (b) pgbox: memory index + memory tune --recall " + recallTarget);
        pgboxIndex(owner, pgbox);
        pgboxTune(owner, login, pgbox, tuneQueries, ExactNeighbours.of(loaded, vectors.subList(queryCount, first), VectorSetup.K));
        double[] rb = pgbox.recall(login, pgbox.efSearch(), queries, exact);
        pgboxRecall = rb[0];
        say(String.format(Locale.ROOT, "pgbox at ef_search %d on the %d held-out queries: recall@10 %.3f (%.2f ms per query, 1 client)",
                pgbox.efSearch(), queryCount, rb[0], rb[1]));
        say("plan: " + pgbox.plan(login, queries[0]));

        say("");
        say("== (a) default pgvector setup: a copy of the rows, HNSW m=16 ef_construction=64 vector_cosine_ops, <=>");
        VectorSetup dflt = new VectorSetup("default", DEFAULT_TABLE, "", "<=>");
        defaultSetup(owner, dflt);
        double target = pgboxRecall;
        say(String.format(Locale.ROOT, "raising ef_search from 40 until recall@10 >= %.3f (pgbox's)", target));
        double[] ra = null;
        for (int ef : LADDER) {
            ra = dflt.recall(login, ef, queries, exact);
            dflt.efSearch(ef);
            say(String.format(Locale.ROOT, "  default ef_search %4d: recall@10 %.3f (%.2f ms per query)", ef, ra[0], ra[1]));
            if (ra[0] >= target - 1e-9) {
                break;
            }
        }
        if (ra[0] < target - 1e-9) {
            say("  the default setup did not reach pgbox's recall even at ef_search " + dflt.efSearch() + "; compared there");
        }
        say("plan: " + dflt.plan(login, queries[0]));

        say("");
        say("== queries: recall@10, QPS, p50/p95 (each client its own JDBC connection, prepared statement; " + seconds + " s per load after "
                + warmup + " s warm-up)");
        QueryLoad.Stats[] a = new QueryLoad.Stats[2];
        QueryLoad.Stats[] b = new QueryLoad.Stats[2];
        int[] clientCounts = {1, 4};
        for (int i = 0; i < 2; i++) {
            a[i] = QueryLoad.run(dflt.clients(login, queries, false), clientCounts[i], queryCount, warmup, seconds);
            say("  default " + a[i].line());
            b[i] = QueryLoad.run(pgbox.clients(login, queries, false), clientCounts[i], queryCount, warmup, seconds);
            say("  pgbox   " + b[i].line());
        }
        pgbox4 = b[1];
        sideBySide.add(new Row(dflt, ra[0], a));
        sideBySide.add(new Row(pgbox, rb[0], b));
        ratioLine = String.format(Locale.ROOT, "ratio pgbox/default QPS at equal recall (%.3f vs %.3f): 1 client %.2fx, 4 clients %.2fx%s", rb[0], ra[0],
                b[0].qps() / a[0].qps(), b[1].qps() / a[1].qps(), ra[0] > rb[0] + 0.005
                        ? " (not equal: the default's recall at pgvector's ef_search 40, where its ladder starts, is already higher)" : "");

        if (parts.contains("api")) {
            api(settings, login, pgbox, queries, exact);
        }
    }

    /** 'pgbox memory create', or the same table and registry row written over JDBC when the command is not built. */
    private void createCollection(Jdbc.Target owner, AppName app) throws Exception {
        PgboxCli.Run r = cli.run("memory", "create", appName, COLLECTION, "--dim", String.valueOf(Embedders.DEFAULT_DIM), "--metric", "cosine");
        if (r.ok()) {
            say(String.format(Locale.ROOT, "pgbox memory create %s %s: %.1f s", appName, COLLECTION, r.seconds()));
            return;
        }
        say("pgbox memory create: not available (exit " + r.exitCode() + ": " + r.firstLine() + ")");
        say("  emulated: CollectionDdl.create's statements and a registry row, over JDBC as " + app.ownerRole());
        CollectionSpec spec = new CollectionSpec(app, new CollectionName(COLLECTION), Embedders.DEFAULT_DIM, Metric.COSINE, false, "english",
                Embedders.DEFAULT_MODEL);
        try (Connection c = Jdbc.connect(owner)) {
            c.setAutoCommit(false);
            Registry.ensure(c, app);
            try (Statement st = c.createStatement()) {
                for (String sql : CollectionDdl.create(spec)) {
                    st.execute(sql);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + Registry.TABLE
                    + " (name, dim, metric, tenant, model, text_config) VALUES (?, ?, 'cosine', false, ?, 'english')")) {
                ps.setString(1, COLLECTION);
                ps.setInt(2, Embedders.DEFAULT_DIM);
                ps.setString(3, Embedders.DEFAULT_MODEL);
                ps.executeUpdate();
            }
            c.commit();
        }
    }

    /** 'pgbox memory import' of a JSONL file with the vectors, or JDBC batch inserts when import is not built. */
    private void load(Jdbc.Target login, Jdbc.Target owner, List<BenchCorpus.Text> texts, List<float[]> vectors) throws Exception {
        Path file = project.resolve("bench-import.jsonl");
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < texts.size(); i++) {
                ObjectNode n = JSON.createObjectNode();
                n.put("id", id(texts.get(i)).toString());
                n.put("content", texts.get(i).text());
                n.putObject("metadata").put("package", texts.get(i).pkg());
                // pgvector's text form is a JSON array of numbers
                n.set("embedding", JSON.readTree(Vectors.literal(vectors.get(i))));
                w.write(JSON.writeValueAsString(n));
                w.write('\n');
            }
        }
        String how;
        double s;
        PgboxCli.Run r = cli.run("memory", "import", appName, COLLECTION, file.toString(), "--json");
        long count = count(login);
        if (r.ok() && count == texts.size()) {
            s = r.seconds();
            how = "pgbox memory import of a JSONL file with the vectors, whole command, JVM start included";
            JsonNode rep = JSON.readTree(r.stdout());
            if (rep.path("millis").asLong() > 0) {
                how += String.format(Locale.ROOT, "; the import's own time: %.1f s = %,.0f rows/s", rep.path("millis").asLong() / 1000.0,
                        rep.path("imported").asLong() * 1000.0 / rep.path("millis").asLong());
            }
        } else {
            say(r.ok() ? "pgbox memory import: loaded " + count + " of " + texts.size() + " rows; falling back"
                    : "pgbox memory import: not available (exit " + r.exitCode() + ": " + r.firstLine() + ")");
            try (Connection c = Jdbc.connect(owner); Statement st = c.createStatement()) {
                st.execute("TRUNCATE " + new CollectionName(COLLECTION).sql());
            }
            long t0 = System.nanoTime();
            jdbcInsert(login, texts, vectors);
            s = secs(t0);
            how = "JDBC batch inserts of 500 rows per transaction as the app's login role, the collection's indexes in place";
        }
        Files.deleteIfExists(file);
        try (Connection c = Jdbc.connect(owner); Statement st = c.createStatement()) {
            st.execute("ANALYZE " + new CollectionName(COLLECTION).sql());
        }
        insertLine = String.format(Locale.ROOT, "insert: %,.0f rows/s (%,d rows in %.1f s; %s)", texts.size() / s, texts.size(), s, how);
        say(insertLine);
    }

    private void jdbcInsert(Jdbc.Target login, List<BenchCorpus.Text> texts, List<float[]> vectors) throws SQLException {
        try (Connection c = Jdbc.connect(login);
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + new CollectionName(COLLECTION).sql()
                     + " (id, content, metadata, embedding) VALUES (?::uuid, ?, ?::jsonb, ?::vector)")) {
            c.setAutoCommit(false);
            for (int i = 0; i < texts.size(); i++) {
                ps.setString(1, id(texts.get(i)).toString());
                ps.setString(2, texts.get(i).text());
                ps.setString(3, JSON.createObjectNode().put("package", texts.get(i).pkg()).toString());
                ps.setString(4, Vectors.literal(vectors.get(i)));
                ps.addBatch();
                if ((i + 1) % 500 == 0 || i == texts.size() - 1) {
                    ps.executeBatch();
                    c.commit();
                }
            }
            c.setAutoCommit(true);
        }
    }

    /** 'pgbox memory index', or the collection's own index (CollectionDdl's) as it is when the command is not built. */
    private void pgboxIndex(Jdbc.Target owner, VectorSetup pgbox) throws Exception {
        PgboxCli.Run r = cli.run("memory", "index", appName, COLLECTION, "--json");
        if (r.ok()) {
            JsonNode rep = JSON.readTree(r.stdout());
            say(String.format(Locale.ROOT, "pgbox memory index: %.1f s (whole command): %s", r.seconds(), rep.path("definition").asText("?")));
            if (rep.has("maintenance_work_mem")) {
                say("  maintenance_work_mem " + rep.path("maintenance_work_mem").asText() + ", " + rep.path("memory").asText(""));
            }
        } else {
            say("pgbox memory index: not available (exit " + r.exitCode() + ": " + r.firstLine() + ")");
            say("  emulated: the collection's own HNSW index as CollectionDdl made it (m=" + CollectionDdl.CREATE_M + ", ef_construction="
                    + CollectionDdl.CREATE_EF_CONSTRUCTION + ", vector_ip_ops, partial), filled during the load");
        }
        pgbox.index(indexDefinition(owner, CollectionDdl.vectorIndex(new CollectionName(COLLECTION))));
    }

    /** 'pgbox memory tune', or the same search done here (the lowest ef_search meeting the target on held-out tuning queries). */
    private void pgboxTune(Jdbc.Target owner, Jdbc.Target login, VectorSetup pgbox, String[] tuneQueries, List<double[]> exact) throws Exception {
        PgboxCli.Run r = cli.run("memory", "tune", appName, COLLECTION, "--recall", String.valueOf(recallTarget), "--json");
        if (r.ok()) {
            JsonNode rep = JSON.readTree(r.stdout());
            Integer saved = registryEfSearch(login);
            int ef = saved != null ? saved : rep.path("chosen").asInt(40);
            pgbox.efSearch(ef);
            say(String.format(Locale.ROOT, "pgbox memory tune --recall %s: %.1f s (whole command): ef_search %d (its own measure: recall %s on %s samples%s)",
                    recallTarget, r.seconds(), ef, rep.path("recall").asText("?"), rep.path("samples").asText("?"),
                    rep.path("met").asBoolean(true) ? "" : ", target NOT met"));
            return;
        }
        say("pgbox memory tune: not available (exit " + r.exitCode() + ": " + r.firstLine() + ")");
        say("  emulated: the lowest ef_search of 'memory tune's ladder (10 to 1000) reaching recall@10 >= " + recallTarget + " on " + tuneQueries.length
                + " held-out tuning texts (not the measured queries), against their exact neighbours");
        int chosen = TUNE_LADDER[TUNE_LADDER.length - 1];
        for (int ef : TUNE_LADDER) {
            double[] rr = pgbox.recall(login, ef, tuneQueries, exact);
            say(String.format(Locale.ROOT, "  tune ef_search %4d: recall@10 %.3f", ef, rr[0]));
            if (rr[0] >= recallTarget) {
                chosen = ef;
                break;
            }
        }
        pgbox.efSearch(chosen);
        try (Connection c = Jdbc.connect(owner)) {
            Registry.saveTuning(c, new CollectionName(COLLECTION), chosen, null, null);
        } catch (SQLException e) {
            say("  (could not record ef_search " + chosen + " in the registry: " + e.getMessage() + ")");
        }
        say("  emulated tune chose ef_search " + chosen);
    }

    /** The default pgvector setup on the same rows: a plain copy, HNSW with pgvector's defaults on vector_cosine_ops. */
    private void defaultSetup(Jdbc.Target owner, VectorSetup dflt) throws SQLException {
        String src = new CollectionName(COLLECTION).sql();
        String cols = "id, source_account_id, tenant_id, content, metadata, embedding, created_at, updated_at, deleted_at";
        try (Connection c = Jdbc.connect(owner); Statement st = c.createStatement()) {
            // the app roles' statement_timeout would cancel the copy or the index build of a large corpus on a busy box
            st.execute("SET statement_timeout = 0");
            st.execute("DROP TABLE IF EXISTS " + DEFAULT_TABLE);
            st.execute("CREATE TABLE " + DEFAULT_TABLE + " (LIKE " + src + " INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING CONSTRAINTS)");
            st.execute("INSERT INTO " + DEFAULT_TABLE + " (" + cols + ") SELECT " + cols + " FROM " + src);
            st.execute("ALTER TABLE " + DEFAULT_TABLE + " ADD PRIMARY KEY (id)");
            st.execute("ANALYZE " + DEFAULT_TABLE);
            long t0 = System.nanoTime();
            st.execute("CREATE INDEX bench_default_embedding_idx ON " + DEFAULT_TABLE + " USING hnsw (embedding vector_cosine_ops)"
                    + " WITH (m = 16, ef_construction = 64)");
            say(String.format(Locale.ROOT, "default index built in %.1f s (the server's maintenance_work_mem: %s)", secs(t0),
                    value(st, "SHOW maintenance_work_mem")));
        }
        dflt.index(indexDefinition(owner, "bench_default_embedding_idx"));
    }

    // ---- the API

    private void api(Settings settings, Jdbc.Target login, VectorSetup pgbox, String[] queries, List<double[]> exact) throws Exception {
        say("");
        say("== API: the same vector searches through the agent's HTTP API vs raw JDBC (4 clients)");
        String token = secret("PGBOX_API_TOKEN");
        int port = Integer.parseInt(settings.get(Setting.PGBOX_API_PORT));
        if (token == null) {
            apiLine = "API: skipped (no PGBOX_API_TOKEN in .env.secrets: the HTTP API is not built yet)";
            say(apiLine);
            return;
        }
        ApiSearch api = new ApiSearch("http://127.0.0.1:" + port, appName, COLLECTION, token, queries);
        HttpClient http = ApiSearch.newClient();
        double sum = 0;
        try {
            for (int i = 0; i < queryCount; i++) {
                sum += VectorSetup.recallOf(api.distances(http, i), exact.get(i));
            }
        } catch (Exception e) {
            apiLine = "API: skipped (POST " + api.uri() + " failed: " + e.getMessage() + ")";
            say(apiLine);
            return;
        }
        say(String.format(Locale.ROOT, "API recall@10 on the %d held-out queries: %.3f (raw JDBC at ef_search %d: %.3f)", queryCount,
                sum / queryCount, pgbox.efSearch(), pgboxRecall));
        QueryLoad.Stats jdbc = QueryLoad.run(pgbox.clients(login, queries, true), 4, queryCount, warmup, seconds);
        say("  raw JDBC (the same columns as an API hit) " + jdbc.line());
        QueryLoad.Stats viaApi = QueryLoad.run(api.clients(), 4, queryCount, warmup, seconds);
        say("  HTTP API                                 " + viaApi.line());
        apiOverhead = 1 - viaApi.qps() / jdbc.qps();
        apiP95 = viaApi.p95();
        jdbcP95 = jdbc.p95();
        apiLine = String.format(Locale.ROOT, "API vs raw JDBC, 4 clients: %,.0f vs %,.0f QPS (overhead %.1f %%), p95 %.2f vs %.2f ms", viaApi.qps(),
                jdbc.qps(), apiOverhead * 100, apiP95, jdbcP95);
    }

    // ---- the summary

    private void summary(int rows) {
        say("");
        say("== results " + LocalDate.now(ZoneOffset.UTC) + ", " + (rows == 0 ? "no server parts (PARTS=" + String.join(",", parts) + ")"
                : rows + " rows, " + queryCount + " held-out queries, " + seconds + " s per load") + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs");
        say(embedLine);
        say(insertLine);
        if (!sideBySide.isEmpty()) {
            int w = sideBySide.stream().mapToInt(r -> r.setup().index().length()).max().orElse(5);
            say(String.format(Locale.ROOT, "%-8s %-" + w + "s %9s %9s | %-26s | %-26s", "setup", "index", "ef_search", "recall@10",
                    "1 client: QPS  p50  p95 ms", "4 clients: QPS  p50  p95 ms"));
            for (Row r : sideBySide) {
                QueryLoad.Stats[] st = r.stats();
                say(String.format(Locale.ROOT, "%-8s %-" + w + "s %9d %9.3f | %8.0f %7.2f %7.2f    | %8.0f %7.2f %7.2f", r.setup().name(),
                        r.setup().index(), r.setup().efSearch(), r.recall(), st[0].qps(), st[0].p50(), st[0].p95(), st[1].qps(), st[1].p50(),
                        st[1].p95()));
            }
        }
        say(apiLine);
        say("goals (issue 12):");
        goal("pgbox recall@10 >= 0.95", pgbox4 == null ? null : pgboxRecall >= 0.95, fmt("%.3f", pgboxRecall));
        goal("pgbox >= 900 QPS with 4 clients", pgbox4 == null ? null : pgbox4.qps() >= 900, pgbox4 == null ? "" : fmt("%.0f QPS", pgbox4.qps()));
        goal("pgbox p95 <= 8 ms with 4 clients", pgbox4 == null ? null : pgbox4.p95() <= 8, pgbox4 == null ? "" : fmt("%.2f ms", pgbox4.p95()));
        goal("API overhead <= 10 %", apiOverhead == null ? null : apiOverhead <= 0.10,
                apiOverhead == null ? "" : fmt("%.1f %% of QPS; p95 +%.2f ms", apiOverhead * 100, apiP95 - jdbcP95));
        goal("embedding >= 200 texts/s", embedRate == null ? null : embedRate >= 200, embedRate == null ? "" : fmt("%.0f texts/s", embedRate));
        say(ratioLine);
    }

    private static void goal(String what, Boolean met, String measured) {
        say(String.format(Locale.ROOT, "  %-34s %-8s %s", what, met == null ? "n/a" : met ? "met" : "MISSED", met == null ? "(not measured)" : measured));
    }

    /** One line of the side-by-side table. */
    private record Row(VectorSetup setup, double recall, QueryLoad.Stats[] stats) {
    }

    // ---- small helpers

    /** The index's definition, shortened to method, operator class, options and predicate. */
    private static String indexDefinition(Jdbc.Target owner, String index) throws SQLException {
        try (Connection c = Jdbc.connect(owner);
             PreparedStatement ps = c.prepareStatement("SELECT pg_get_indexdef(to_regclass(?))")) {
            ps.setString(1, "public." + index);
            try (ResultSet rs = ps.executeQuery()) {
                String def = rs.next() && rs.getString(1) != null ? rs.getString(1) : "(no index " + index + ")";
                int using = def.indexOf("USING ");
                return (using < 0 ? def : def.substring(using + 6)).replace("embedding ", "");
            }
        }
    }

    private Integer registryEfSearch(Jdbc.Target login) throws SQLException {
        try (Connection c = Jdbc.connect(login);
             PreparedStatement ps = c.prepareStatement("SELECT ef_search FROM " + Registry.TABLE + " WHERE name = ?")) {
            ps.setString(1, COLLECTION);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? (Integer) rs.getObject(1) : null;
            }
        }
    }

    private static long count(Jdbc.Target login) throws SQLException {
        try (Connection c = Jdbc.connect(login); Statement st = c.createStatement()) {
            return Long.parseLong(value(st, "SELECT count(*) FROM " + new CollectionName(COLLECTION).sql() + " WHERE deleted_at IS NULL"));
        }
    }

    private static String value(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** A value from the project's .env.secrets, or null. */
    private String secret(String name) throws java.io.IOException {
        Path f = project.resolve(".env.secrets");
        if (!Files.exists(f)) {
            return null;
        }
        for (String line : Files.readAllLines(f)) {
            if (line.startsWith(name + "=")) {
                String v = line.substring(name.length() + 1).strip();
                if (v.length() >= 2 && (v.startsWith("'") && v.endsWith("'") || v.startsWith("\"") && v.endsWith("\""))) {
                    v = v.substring(1, v.length() - 1);
                }
                return v.isEmpty() ? null : v;
            }
        }
        return null;
    }

    private static UUID id(BenchCorpus.Text t) {
        return UUID.nameUUIDFromBytes(("pgbox-bench:" + t.text()).getBytes(StandardCharsets.UTF_8));
    }

    private static String[] literals(List<float[]> vectors) {
        return vectors.stream().map(Vectors::literal).toArray(String[]::new);
    }

    /** ef_search values tried, from pgvector's default 40 up to its maximum 1000. */
    private static int[] ladder() {
        List<Integer> l = new ArrayList<>();
        for (int ef = 40; ef < 200; ef += 10) {
            l.add(ef);
        }
        for (int ef = 200; ef < 400; ef += 20) {
            l.add(ef);
        }
        for (int ef = 400; ef <= 1000; ef += 50) {
            l.add(ef);
        }
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String fmt(String f, Object... args) {
        return String.format(Locale.ROOT, f, args);
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v.strip();
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
