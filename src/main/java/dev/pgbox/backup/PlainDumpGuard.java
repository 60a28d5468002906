package dev.pgbox.backup;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A plain SQL dump goes to psql, which runs meta-commands ({@code \!} starts a shell) wherever they
 * stand. pg_dump (15.14 and later) guards its plain output: after the header comment it writes
 * {@code \restrict KEY}, which makes psql refuse every meta-command until <code>&#92;unrestrict KEY</code>, its
 * very last line. This checks that a file has exactly that shape, so psql itself refuses anything a
 * crafted file could slip in: the header holds only comments, {@code \restrict} comes first, and the
 * only <code>&#92;unrestrict</code> anywhere in the file is its last line, with the same key.
 */
final class PlainDumpGuard {
    private static final Pattern RESTRICT = Pattern.compile("\\\\restrict ([A-Za-z0-9]{16,})");

    private PlainDumpGuard() {
    }

    static void check(Path file) {
        String why;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            why = problem(in);
        } catch (IOException | java.io.UncheckedIOException e) {
            why = "it cannot be read as UTF-8 text (" + e.getMessage() + ")";
        }
        if (why != null) {
            throw new PgboxException(ErrorKind.CONFIG, "refusing to restore the plain SQL dump " + file.getFileName(),
                    why + "; psql would run any meta-command in it (\\! starts a shell) as the server's OS user",
                    "restore a custom, tar or directory dump (pgbox db backup --format=custom), or re-make the dump with "
                            + "pg_dump 15.14 or later, which guards plain dumps with \\restrict");
        }
    }

    /** Why the dump is not guarded as pg_dump guards it, or null. */
    static String problem(BufferedReader in) throws IOException {
        String key = null;
        String line;
        String lastNonBlank = null;
        int unrestricts = 0;
        int n = 0;
        while ((line = in.readLine()) != null) {
            n++;
            if (line.indexOf('\0') >= 0) {
                return "line " + n + " holds a NUL byte";
            }
            if (key == null) {
                Matcher m = RESTRICT.matcher(line);
                if (m.matches()) {
                    key = m.group(1);
                    continue;
                }
                if (!line.isBlank() && !(line.startsWith("--") && line.indexOf('\r') < 0 && line.indexOf('\\') < 0)) {
                    return "line " + n + " comes before pg_dump's \\restrict line, and only comments may";
                }
                continue;
            }
            if (line.contains("\\unrestrict")) {
                unrestricts++;
            }
            if (!line.isBlank()) {
                lastNonBlank = line;
            }
        }
        if (key == null) {
            return "it has no \\restrict line (made by an older pg_dump or by another tool)";
        }
        if (unrestricts != 1 || !("\\unrestrict " + key).equals(lastNonBlank)) {
            return "its \\unrestrict line is not exactly one, the last, with the key of its \\restrict line";
        }
        return null;
    }
}
