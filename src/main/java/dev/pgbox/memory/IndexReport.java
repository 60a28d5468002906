package dev.pgbox.memory;

/** What 'memory index' chose and did. */
public record IndexReport(String app, String collection, String index, String type, Integer m, Integer efConstruction, Integer lists,
                          long rows, long estimatedBytes, String maintenanceWorkMem, boolean built, long millis) {
}
