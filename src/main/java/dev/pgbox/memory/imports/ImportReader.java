package dev.pgbox.memory.imports;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads the memories of an import file one by one, with the line each starts on. Errors name the file
 * and line ("notes.jsonl:12: the text is empty"). The file is UTF-8 (a byte order mark is ignored);
 * blank lines are skipped.
 */
public abstract class ImportReader implements Closeable {
    /** The formats there are, by the name --format takes. */
    public static final String JSONL = "jsonl";
    public static final String CSV = "csv";

    protected final String shown;
    protected final BufferedReader in;

    protected ImportReader(String shown, BufferedReader in) {
        this.shown = shown;
        this.in = in;
    }

    /** The next memory, or null at the end of the file. */
    public abstract ImportLine next() throws IOException;

    /** How many lines have been read so far (the position after the last memory {@link #next()} returned, and any blank lines before it). */
    public abstract long linesRead();

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** The format: {@code format} when given (jsonl or csv), else from the file's extension. */
    public static String format(String format, Path file) {
        if (format != null) {
            String f = format.toLowerCase(Locale.ROOT);
            if (f.equals(JSONL) || f.equals(CSV)) {
                return f;
            }
            throw new PgboxException(ErrorKind.USAGE, "unknown import format '" + format + "'",
                    "memory import reads JSONL (one JSON object per line) or CSV (a header row, then one memory per row)",
                    "pass --format jsonl or --format csv");
        }
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return JSONL;
        }
        if (name.endsWith(".csv")) {
            return CSV;
        }
        throw new PgboxException(ErrorKind.USAGE, "cannot tell the format of " + file,
                "the name ends in neither .jsonl, .ndjson nor .csv", "pass --format jsonl or --format csv");
    }

    /** A reader of {@code file} in {@code format}, naming it {@code shown} in errors. */
    public static ImportReader open(Path file, String format, String shown) throws IOException {
        InputStream raw = Files.newInputStream(file);
        // refuse bad UTF-8 rather than store U+FFFD in place of the bytes
        BufferedReader in = new BufferedReader(new InputStreamReader(raw, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
        return open(in, format, shown);
    }

    /** A reader of {@code in} in {@code format} (for tests and files alike). */
    public static ImportReader open(BufferedReader in, String format, String shown) throws IOException {
        return CSV.equals(format) ? new CsvImportReader(shown, in) : new JsonlImportReader(shown, in);
    }

    /** An error at a line of the file. */
    protected PgboxException at(long line, String what, String cause, String fix) {
        return new PgboxException(ErrorKind.USAGE, shown + ":" + line + ": " + what, cause, fix);
    }

    /** A file that is not UTF-8 or cannot be read, at a line. */
    protected PgboxException unreadable(long line, IOException e) {
        return at(line, "cannot read the line", e.toString(), "save the file as UTF-8");
    }

    static String stripBom(String s) {
        return s != null && !s.isEmpty() && s.charAt(0) == '\uFEFF' ? s.substring(1) : s;
    }
}
