package dev.pgbox.config;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A dotenv file as nSelf writes them: {@code NAME=value} lines, {@code #} comments (also after an
 * unquoted value, {@code POSTGRES_WORK_MEM=16MB # per sort}), optional {@code export}, and single or
 * double quotes. A line that is none of these is an error naming the file and line.
 */
public final class EnvFile {
    private static final Pattern ASSIGNMENT = Pattern.compile("^(?:export\\s+)?([A-Za-z_][A-Za-z0-9_]*)\\s*=(.*)$");

    /** One assignment and where it was written. */
    public record Entry(String name, String value, String file, int line) {
        public String where() {
            return file + ":" + line;
        }
    }

    private EnvFile() {
    }

    public static List<Entry> read(Path path) {
        try {
            return parse(Files.readString(path, StandardCharsets.UTF_8), path.getFileName().toString());
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.CONFIG, "cannot read " + path, e.getMessage(),
                    "check that the file exists and is readable");
        }
    }

    public static List<Entry> parse(String text, String fileName) {
        List<Entry> entries = new ArrayList<>();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            int lineNo = i + 1;
            Matcher m = ASSIGNMENT.matcher(trimmed);
            if (!m.matches()) {
                throw malformed(fileName, lineNo, trimmed, "expected NAME=value");
            }
            entries.add(new Entry(m.group(1), value(m.group(2), fileName, lineNo, trimmed), fileName, lineNo));
        }
        return entries;
    }

    private static String value(String raw, String file, int line, String text) {
        String v = raw.stripLeading();
        if (v.startsWith("\"") || v.startsWith("'")) {
            char quote = v.charAt(0);
            StringBuilder out = new StringBuilder();
            int i = 1;
            for (; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == quote) {
                    break;
                }
                if (quote == '"' && c == '\\' && i + 1 < v.length()) {
                    char n = v.charAt(++i);
                    out.append(n == 'n' ? '\n' : n);
                } else {
                    out.append(c);
                }
            }
            if (i >= v.length()) {
                throw malformed(file, line, text, "the value opens a quote (" + quote + ") that is never closed");
            }
            String rest = v.substring(i + 1).strip();
            if (!rest.isEmpty() && !rest.startsWith("#")) {
                throw malformed(file, line, text, "unexpected text after the closing quote: " + rest);
            }
            return out.toString();
        }
        int comment = indexOfComment(v);
        return (comment >= 0 ? v.substring(0, comment) : v).strip();
    }

    /** A # starts a comment in an unquoted value only at the start or after white space. */
    private static int indexOfComment(String v) {
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) == '#' && (i == 0 || Character.isWhitespace(v.charAt(i - 1)))) {
                return i;
            }
        }
        return -1;
    }

    private static PgboxException malformed(String file, int line, String text, String cause) {
        String shown = text.length() > 60 ? text.substring(0, 60) + "..." : text;
        // never echo a line that may hold a secret in full: show only the part before '='
        if (shown.contains("=")) {
            shown = shown.substring(0, shown.indexOf('=') + 1) + "...";
        }
        return new PgboxException(ErrorKind.CONFIG, "malformed line in " + file + ":" + line + ": " + shown, cause,
                "write it as NAME=value (quote values with spaces), or start the line with # to make it a comment");
    }

    /** Sets {@code name=value} in a (non-secret) .env file: replaces its line, or appends one. */
    public static void set(Path file, String name, String value) {
        try {
            List<String> lines = Files.exists(file)
                    ? new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8)) : new ArrayList<>();
            boolean replaced = false;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).strip().startsWith(name + "=")) {
                    lines.set(i, name + "=" + value);
                    replaced = true;
                }
            }
            if (!replaced) {
                lines.add(name + "=" + value);
            }
            Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot write " + file, e.toString(),
                    "make it writable, or add " + name + "=" + value + " to it yourself and run 'pgbox start'");
        }
    }
}
