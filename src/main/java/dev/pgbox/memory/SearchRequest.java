package dev.pgbox.memory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One search.
 *
 * @param query the text (embedded for vector modes, websearch_to_tsquery for text); may be null when {@code vector} is given in vector/mmr mode
 * @param vector the caller's query embedding, or null to embed {@code query}
 * @param mode how to rank, or null: hybrid, or vector when only a vector is given
 * @param limit how many hits (k), 1 to 1000; null: MEMORY_SEARCH_LIMIT
 * @param filter a JSON object the hits' metadata must contain (@>), or null
 * @param tenant the tenant to search as, or null (required for a collection with tenancy)
 * @param maxDistance hits farther than this (the shown distance) are left out; null: no threshold
 * @param rrfK hybrid: reciprocal rank fusion's k (score = sum of 1 / (k + rank)); null: MEMORY_RRF_K
 * @param mmrLambda mmr: 1 = relevance only, 0 = diversity only; null: MEMORY_MMR_LAMBDA
 * @param fetchK hybrid and mmr: candidates fetched per ranking before fusing or diversifying; null: MEMORY_FETCH_K
 */
public record SearchRequest(String query, float[] vector, SearchMode mode, Integer limit, JsonNode filter, String tenant, Double maxDistance,
                            Integer rrfK, Double mmrLambda, Integer fetchK) {
}
