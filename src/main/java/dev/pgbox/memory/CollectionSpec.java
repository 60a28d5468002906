package dev.pgbox.memory;

import dev.pgbox.apps.AppName;

/**
 * What 'memory create' makes.
 *
 * @param dim the vector dimension (384 for the built-in model; any other for caller-supplied vectors)
 * @param tenant row-level security by tenant_id: every read and write must name its tenant
 * @param textConfig the text search configuration of the generated tsvector (e.g. english, simple)
 * @param model the embedding model that fills the vectors from text, or {@link #EXTERNAL} when the
 *              caller supplies every vector
 */
public record CollectionSpec(AppName app, CollectionName name, int dim, Metric metric, boolean tenant, String textConfig, String model) {
    /** The model name of collections whose vectors come from the caller. */
    public static final String EXTERNAL = "external";
    /** pgvector's limit for an indexed vector column. */
    public static final int MAX_INDEXED_DIM = 2000;
}
