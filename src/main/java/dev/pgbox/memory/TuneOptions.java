package dev.pgbox.memory;

/**
 * What 'memory tune' was asked for; nulls take the defaults (MEMORY_RECALL_TARGET, MEMORY_TUNE_SAMPLES, k 10).
 *
 * @param tenant for a collection with tenants: the tenant whose memories are sampled and searched
 *               (row-level security hides the others, also from the owner)
 */
public record TuneOptions(Double recall, Integer samples, Integer k, String tenant) {
    public static final int DEFAULT_K = 10;
}
