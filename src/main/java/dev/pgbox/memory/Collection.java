package dev.pgbox.memory;

/**
 * A collection as pgbox's registry in the app's database describes it (pgbox.memory_collections).
 *
 * @param table the table, schema-qualified (public.np_NAME)
 * @param metric cosine, l2 or ip
 * @param indexType hnsw or ivfflat: the vector index in use
 * @param efSearch hnsw.ef_search searches set (SET LOCAL), or null for pgvector's default (40)
 * @param probes ivfflat.probes searches set, or null for pgvector's default (1)
 * @param tunedRecall the recall@10 'memory tune' measured for the current efSearch/probes, or null
 * @param createdAt ISO-8601 UTC
 */
public record Collection(String app, String name, String table, int dim, String metric, boolean tenant, String model,
                         String textConfig, String indexType, Integer efSearch, Integer probes, Double tunedRecall,
                         String createdAt) {
    public Metric metricKind() {
        return Metric.parse(metric);
    }

    public CollectionName collectionName() {
        return new CollectionName(name);
    }

    /** True when pgbox embeds text itself for this collection. */
    public boolean embedsText() {
        return !CollectionSpec.EXTERNAL.equals(model);
    }
}
