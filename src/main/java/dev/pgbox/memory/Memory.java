package dev.pgbox.memory;

import com.fasterxml.jackson.databind.JsonNode;

/** A stored memory. Times are ISO-8601 UTC; deletedAt is null for a live one. */
public record Memory(String id, String content, JsonNode metadata, String tenant, String createdAt, String updatedAt, String deletedAt) {
}
