package dev.pgbox.memory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One search hit.
 *
 * @param score higher is better. vector and mmr: the similarity to the query - for cosine 1 - cosine
 *              distance (1 same direction, 0 unrelated, -1 opposite), for ip the inner product, for l2
 *              1 / (1 + Euclidean distance); text: ts_rank_cd; hybrid: the reciprocal rank fusion sum
 *              1 / (k + vector rank) + 1 / (k + text rank). mmr lists hits in its own order, not by score.
 * @param distance the shown distance to the query vector: cosine distance (0 to 2), Euclidean distance (l2)
 *                 or the negative inner product (ip); null in text mode
 * @param vectorRank the 1-based rank in the vector ranking (hybrid), or null
 * @param textRank the 1-based rank in the full-text ranking (hybrid), or null
 * @param createdAt ISO-8601 UTC
 */
public record Hit(String id, String content, JsonNode metadata, String tenant, double score, Double distance, Integer vectorRank,
                  Integer textRank, String createdAt) {
}
