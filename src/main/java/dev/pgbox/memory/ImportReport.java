package dev.pgbox.memory;

/** What one import did. */
public record ImportReport(String app, String collection, String file, long lines, long imported, long skipped, boolean resumed, long millis) {
}
