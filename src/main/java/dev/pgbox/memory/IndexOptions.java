package dev.pgbox.memory;

/** What 'memory index' was asked for; nulls let pgbox choose. */
public record IndexOptions(String type, Integer m, Integer efConstruction, Integer lists, boolean dryRun) {
}
