package dev.pgbox.memory;

import java.util.List;

/**
 * The hits of one search, best first, with what ran.
 *
 * @param mode vector, text, hybrid or mmr
 * @param efSearch the hnsw.ef_search the search set (the collection's tuned value, raised to the rows it needed), or null for pgvector's default
 * @param millis the whole search: embedding the query, and the SQL
 * @param metric the collection's metric: what distance and score mean (see {@link Hit})
 * @param tenant the tenant searched as, or null
 * @param fetchK hybrid and mmr: the candidates taken from each ranking
 * @param rrfK hybrid: the fusion's k
 * @param mmrLambda mmr: the relevance/diversity balance used
 * @param probes the ivfflat.probes the search set, or null
 * @param iterativeScan pgvector's iterative index scan for this narrowed search (relaxed_order, strict_order), or null when off
 */
public record SearchResult(String app, String collection, String mode, int limit, List<Hit> hits, Integer efSearch, long millis, String metric,
                           String tenant, Integer fetchK, Integer rrfK, Double mmrLambda, Integer probes, String iterativeScan) {
}
