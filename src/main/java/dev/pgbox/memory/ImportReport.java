package dev.pgbox.memory;

/**
 * What one import did.
 *
 * @param format jsonl or csv
 * @param lines the file's lines (with a CSV header and blank lines)
 * @param imported memories written by this run
 * @param skipped memories of this run left out because their id was in the collection already
 * @param resumedAtLine the line this run started at when an earlier run of the same file had got that far, else null
 */
public record ImportReport(String app, String collection, String file, String format, String sha256, long lines, long imported,
                           long skipped, Long resumedAtLine, long millis) {
}
