package dev.pgbox.memory.imports;

import dev.pgbox.PgboxException;
import dev.pgbox.memory.MemoryChecks;
import dev.pgbox.memory.NewMemory;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CSV (RFC 4180): a header row naming the columns content (required), id, metadata (a JSON object as
 * text), tenant and embedding (a JSON array as text), in any order; then one memory per row. Fields may
 * be quoted ("" inside quotes is one "), and a quoted field may span lines. An empty field is absent.
 */
final class CsvImportReader extends ImportReader {
    private final Map<String, Integer> columns = new HashMap<>();
    private long line;

    CsvImportReader(String shown, BufferedReader in) throws IOException {
        super(shown, in);
        List<String> header = record();
        if (header == null) {
            throw at(1, "the file is empty", "a CSV import starts with a header row", "write a header row, e.g. content,metadata,tenant");
        }
        for (int i = 0; i < header.size(); i++) {
            String name = (i == 0 ? stripBom(header.get(i)) : header.get(i)).strip().toLowerCase(Locale.ROOT);
            if (!JsonlImportReader.FIELDS.contains(name)) {
                throw at(1, "unknown column '" + name + "'", "the header may name content, id, metadata, tenant and embedding",
                        "rename or remove the column (metadata holds fields of your own, as JSON)");
            }
            if (columns.put(name, i) != null) {
                throw at(1, "the column '" + name + "' appears twice", "each column is named once", "remove one of them");
            }
        }
        if (!columns.containsKey("content")) {
            throw at(1, "no content column", "the header must name the column content (the text to remember)",
                    "add content to the header row");
        }
    }

    @Override
    public ImportLine next() throws IOException {
        while (true) {
            long start = line + 1;
            List<String> row = record();
            if (row == null) {
                return null;
            }
            if (row.size() == 1 && row.get(0).isEmpty()) {
                continue;
            }
            if (row.size() != columns.size()) {
                throw at(start, "the row has " + row.size() + " fields, the header " + columns.size(),
                        "every row has one field per header column", "quote fields that hold commas, e.g. \"one, two\"");
            }
            try {
                return new ImportLine(start, new NewMemory(field(row, "id"), row.get(columns.get("content")),
                        MemoryChecks.parseMetadata(field(row, "metadata")), field(row, "tenant"),
                        field(row, "embedding") == null ? null : MemoryChecks.parseVector(field(row, "embedding"))));
            } catch (PgboxException e) {
                throw at(start, e.what(), e.reason(), e.fix());
            }
        }
    }

    @Override
    public long linesRead() {
        return line;
    }

    private String field(List<String> row, String name) {
        Integer i = columns.get(name);
        if (i == null) {
            return null;
        }
        String v = row.get(i);
        return v.isEmpty() ? null : v;
    }

    /** One record's fields, or null at the end of the file; counts the lines it reads. */
    private List<String> record() throws IOException {
        List<String> fields = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        boolean any = false;
        long start = line + 1;
        while (true) {
            int ch;
            try {
                ch = in.read();
            } catch (IOException e) {
                throw unreadable(line + 1, e);
            }
            if (ch == -1) {
                if (quoted) {
                    throw at(start, "a quoted field is not closed", "the file ends inside quotes", "close the quote with \"");
                }
                if (!any) {
                    return null;
                }
                line++;
                fields.add(f.toString());
                return fields;
            }
            any = true;
            char c = (char) ch;
            if (quoted) {
                if (c == '"') {
                    in.mark(1);
                    int after = in.read();
                    if (after == '"') {
                        f.append('"');
                    } else {
                        quoted = false;
                        if (after != -1) {
                            in.reset();
                        }
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    f.append(c);
                }
                continue;
            }
            if (c == '"' && f.isEmpty() && !wasQuoted) {
                quoted = true;
                wasQuoted = true;
            } else if (c == ',') {
                fields.add(f.toString());
                f.setLength(0);
                wasQuoted = false;
            } else if (c == '\n') {
                line++;
                fields.add(stripCr(f, wasQuoted));
                return fields;
            } else if (wasQuoted) {
                // only the \r of a \r\n line end may follow a closing quote
                if (c != '\r') {
                    throw at(line + 1, "text after a closing quote", "a quoted field ends at its closing quote",
                            "write \"\" for a quote inside a quoted field");
                }
            } else {
                f.append(c);
            }
        }
    }

    private static String stripCr(StringBuilder f, boolean quoted) {
        int n = f.length();
        if (!quoted && n > 0 && f.charAt(n - 1) == '\r') {
            f.setLength(n - 1);
        }
        return f.toString();
    }
}
