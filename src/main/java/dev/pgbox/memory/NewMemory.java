package dev.pgbox.memory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One memory to add (or replace, when {@code id} names an existing one).
 *
 * @param id a uuid to upsert by, or null for a new id
 * @param metadata a JSON object, or null for {}
 * @param tenant the tenant it belongs to, or null (required in a collection with tenancy)
 * @param vector the caller's embedding, or null to embed {@code content} with the collection's model
 */
public record NewMemory(String id, String content, JsonNode metadata, String tenant, float[] vector) {
}
