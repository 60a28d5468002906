package dev.pgbox.memory;

import dev.pgbox.apps.AppName;

/** The search modes: vector, text, hybrid (RRF) and MMR, with filters, tenancy and a distance threshold. */
final class Search {
    private final Memories memories;

    Search(Memories memories) {
        this.memories = memories;
    }

    SearchResult run(AppName app, CollectionName name, SearchRequest request) {
        throw new UnsupportedOperationException("not built yet");
    }
}
