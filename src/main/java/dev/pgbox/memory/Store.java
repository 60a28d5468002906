package dev.pgbox.memory;

import dev.pgbox.Progress;
import dev.pgbox.apps.AppName;
import java.nio.file.Path;
import java.util.List;

/** Adding, reading, deleting and importing memories. */
final class Store {
    private final Memories memories;

    Store(Memories memories) {
        this.memories = memories;
    }

    List<String> add(AppName app, CollectionName name, List<NewMemory> items) {
        throw new UnsupportedOperationException("not built yet");
    }

    Memory get(AppName app, CollectionName name, String id, String tenant) {
        throw new UnsupportedOperationException("not built yet");
    }

    Memory delete(AppName app, CollectionName name, String id, String tenant, boolean hard) {
        throw new UnsupportedOperationException("not built yet");
    }

    ImportReport importFile(AppName app, CollectionName name, Path file, String format, Progress progress) {
        throw new UnsupportedOperationException("not built yet");
    }
}
