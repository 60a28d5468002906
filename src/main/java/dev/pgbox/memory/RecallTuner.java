package dev.pgbox.memory;

import dev.pgbox.Progress;
import dev.pgbox.apps.AppName;

/** 'memory tune': the lowest ef_search (or ivfflat.probes) that meets a recall target against exact neighbours. */
final class RecallTuner {
    private final Memories memories;

    RecallTuner(Memories memories) {
        this.memories = memories;
    }

    TuneReport tune(AppName app, CollectionName name, double recall, int samples, Progress progress) {
        throw new UnsupportedOperationException("not built yet");
    }
}
