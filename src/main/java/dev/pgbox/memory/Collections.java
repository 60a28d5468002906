package dev.pgbox.memory;

import dev.pgbox.apps.AppName;
import java.util.List;

/** Making and listing collections. */
final class Collections {
    private final Memories memories;

    Collections(Memories memories) {
        this.memories = memories;
    }

    Collection create(CollectionSpec spec) {
        throw new UnsupportedOperationException("not built yet");
    }

    List<Collection> list(AppName app) {
        throw new UnsupportedOperationException("not built yet");
    }

    Collection describe(AppName app, CollectionName name) {
        throw new UnsupportedOperationException("not built yet");
    }
}
