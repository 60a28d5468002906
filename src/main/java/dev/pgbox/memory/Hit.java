package dev.pgbox.memory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One search hit.
 *
 * @param score higher is better: 1 - cosine distance (vector, mmr on cosine), ts_rank_cd (text), the RRF sum (hybrid)
 * @param distance the shown distance to the query vector (null in text mode)
 * @param vectorRank the 1-based rank in the vector ranking (hybrid), or null
 * @param textRank the 1-based rank in the full-text ranking (hybrid), or null
 */
public record Hit(String id, String content, JsonNode metadata, String tenant, double score, Double distance, Integer vectorRank,
                  Integer textRank, String createdAt) {
}
