package dev.pgbox.memory;

import java.util.List;

/** The hits of one search, best first, with what ran. */
public record SearchResult(String app, String collection, String mode, int limit, List<Hit> hits, Integer efSearch, long millis) {
}
