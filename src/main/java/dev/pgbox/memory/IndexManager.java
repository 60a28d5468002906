package dev.pgbox.memory;

import dev.pgbox.Progress;
import dev.pgbox.apps.AppName;

/** 'memory index': picks the vector index's parameters, checks memory, builds it concurrently with progress. */
final class IndexManager {
    private final Memories memories;

    IndexManager(Memories memories) {
        this.memories = memories;
    }

    IndexReport build(AppName app, CollectionName name, IndexOptions options, Progress progress) {
        throw new UnsupportedOperationException("not built yet");
    }
}
