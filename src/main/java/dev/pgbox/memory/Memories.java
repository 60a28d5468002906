package dev.pgbox.memory;

import dev.pgbox.Progress;
import dev.pgbox.apps.AppName;
import dev.pgbox.config.Settings;
import java.nio.file.Path;
import java.util.List;

/**
 * The memory service: what the CLI's 'pgbox memory' commands and the agent's HTTP API both call. It
 * returns models and throws PgboxException with what, cause and fix; it never prints.
 */
public final class Memories {
    private final Sessions sessions;
    private final Settings settings;

    public Memories(Sessions sessions, Settings settings) {
        this.sessions = sessions;
        this.settings = settings;
    }

    public Sessions sessions() {
        return sessions;
    }

    public Settings settings() {
        return settings;
    }

    // ---- collections (Collections)
    public Collection create(CollectionSpec spec) {
        return new Collections(this).create(spec);
    }

    public List<Collection> list(AppName app) {
        return new Collections(this).list(app);
    }

    public Collection describe(AppName app, CollectionName name) {
        return new Collections(this).describe(app, name);
    }

    // ---- memories (Store)
    /** Adds (or, by id, replaces) memories; returns their ids in order. */
    public List<String> add(AppName app, CollectionName name, List<NewMemory> items) {
        return new Store(this).add(app, name, items);
    }

    public Memory get(AppName app, CollectionName name, String id, String tenant) {
        return new Store(this).get(app, name, id, tenant);
    }

    /** Soft-deletes (or with {@code hard} deletes) one memory; NOT_FOUND when there is none. */
    public Memory delete(AppName app, CollectionName name, String id, String tenant, boolean hard) {
        return new Store(this).delete(app, name, id, tenant, hard);
    }

    public ImportReport importFile(AppName app, CollectionName name, Path file, String format, Progress progress) {
        return new Store(this).importFile(app, name, file, format, progress);
    }

    // ---- search (Search)
    public SearchResult search(AppName app, CollectionName name, SearchRequest request) {
        return new Search(this).run(app, name, request);
    }

    // ---- index and tuning (IndexManager, RecallTuner)
    public IndexReport index(AppName app, CollectionName name, IndexOptions options, Progress progress) {
        return new IndexManager(this).build(app, name, options, progress);
    }

    /** 'memory tune' with every option (k, a tenant); nulls take the defaults. */
    public TuneReport tune(AppName app, CollectionName name, TuneOptions options, Progress progress) {
        return new RecallTuner(this).tune(app, name, options, progress);
    }
}
