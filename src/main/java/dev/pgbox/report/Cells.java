package dev.pgbox.report;

/**
 * Reads one column text of the superuser door (SQL NULL arrives as empty text) into the value a report
 * model holds: null for absent, so the JSON leaves it out.
 */
final class Cells {
    private Cells() {
    }

    static String text(String v) {
        return v == null || v.isEmpty() ? null : v;
    }

    static Long whole(String v) {
        return v == null || v.isEmpty() ? null : Long.valueOf(v);
    }

    static long count(String v) {
        return v == null || v.isEmpty() ? 0 : Long.parseLong(v);
    }

    static Double decimal(String v) {
        return v == null || v.isEmpty() ? null : Double.valueOf(v);
    }

    static Boolean flag(String v) {
        return v == null || v.isEmpty() ? null : v.equals("t");
    }

    /** A comma-separated list of process ids ("" for none). */
    static java.util.List<Integer> pids(String v) {
        if (v == null || v.isBlank()) {
            return java.util.List.of();
        }
        return java.util.Arrays.stream(v.split(",")).map(String::strip).map(Integer::valueOf).toList();
    }

    /** SQL that turns a timestamptz expression into ISO-8601 text (null stays null). */
    static String iso(String expression) {
        return "to_json(" + expression + ")#>>'{}'";
    }

    /** SQL for the whole seconds since a timestamptz expression (null stays null). */
    static String ageSeconds(String expression) {
        return "extract(epoch FROM clock_timestamp() - " + expression + ")::bigint";
    }

    /** SQL for a statement text on one line: the door reads one row per line. */
    static String oneLine(String expression) {
        return "regexp_replace(" + expression + ", '[[:space:]]+', ' ', 'g')";
    }
}
