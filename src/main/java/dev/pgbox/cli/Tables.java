package dev.pgbox.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.List;

/** Plain-text tables (psql's aligned style), CSV, and JSON for reports. */
final class Tables {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .findAndRegisterModules();

    private Tables() {
    }

    static String aligned(List<String> columns, List<List<String>> rows) {
        int[] w = new int[columns.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = columns.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], text(r.get(i)).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        List<String> head = new ArrayList<>();
        List<String> rule = new ArrayList<>();
        for (int i = 0; i < w.length; i++) {
            head.add(" " + pad(columns.get(i), w[i]) + " ");
            rule.add("-".repeat(w[i] + 2));
        }
        sb.append(String.join("|", head).stripTrailing()).append('\n').append(String.join("+", rule)).append('\n');
        for (List<String> r : rows) {
            List<String> cells = new ArrayList<>();
            for (int i = 0; i < w.length; i++) {
                cells.add(" " + pad(text(r.get(i)), w[i]) + " ");
            }
            sb.append(String.join("|", cells).stripTrailing()).append('\n');
        }
        sb.append('(').append(rows.size()).append(rows.size() == 1 ? " row)" : " rows)");
        return sb.toString();
    }

    static String csv(List<String> columns, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.join(",", columns.stream().map(Tables::csvCell).toList())).append('\n');
        for (List<String> r : rows) {
            sb.append(String.join(",", r.stream().map(Tables::csvCell).toList())).append('\n');
        }
        return sb.toString();
    }

    private static String csvCell(String v) {
        if (v == null) {
            return "";
        }
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
            return "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A cell as the terminal may show it (no control characters from the data). */
    private static String text(String v) {
        return v == null ? "" : dev.pgbox.SafeText.printable(v);
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(Math.max(0, w - s.length()));
    }
}
