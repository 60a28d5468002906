package dev.pgbox.schema.audit;

import dev.pgbox.sql.SqlText;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Names in the SQL the audit and new-table write for people to read: a plain lowercase name that is
 * not a reserved word stays bare ({@code np_users}), anything else is double-quoted, so the text is
 * both readable and exact. Also makes index names the way PostgreSQL does (table_columns_idx, cut to
 * 63 bytes, a number appended when taken).
 */
public final class SqlNames {
    private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_]*");

    /** PostgreSQL 15's reserved keywords: neither may name a table or column without quotes. */
    static final Set<String> RESERVED = SqlText.RESERVED_KEYWORDS;

    private SqlNames() {
    }

    /** True when {@code name} can be written without quotes. */
    public static boolean plain(String name) {
        return name != null && PLAIN.matcher(name).matches() && !RESERVED.contains(name)
                && name.getBytes(StandardCharsets.UTF_8).length <= SqlText.MAX_NAME_BYTES;
    }

    /** The name as SQL: bare when plain, else a quoted identifier. */
    public static String name(String name) {
        return plain(name) ? name : SqlText.ident(name);
    }

    /** schema.name as SQL. */
    public static String qualified(String schema, String name) {
        return name(schema) + "." + name(name);
    }

    /**
     * PostgreSQL's own naming of an index: {@code table_col1_col2_suffix}, its parts cut so the whole
     * fits 63 bytes, then 1, 2, ... appended while {@code taken} (names already in the schema) has it.
     */
    public static String indexName(String table, java.util.List<String> columns, String suffix, java.util.function.Predicate<String> taken) {
        String base = table + (columns.isEmpty() ? "" : "_" + String.join("_", columns));
        for (int n = 0; ; n++) {
            String tail = "_" + suffix + (n == 0 ? "" : Integer.toString(n));
            String name = cut(base, SqlText.MAX_NAME_BYTES - tail.length()) + tail;
            if (!taken.test(name)) {
                return name;
            }
        }
    }

    /** The longest prefix of {@code s} that fits {@code bytes} UTF-8 bytes (never splitting a character). */
    static String cut(String s, int bytes) {
        if (s.getBytes(StandardCharsets.UTF_8).length <= bytes) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        int used = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (used + len > bytes) {
                break;
            }
            sb.appendCodePoint(cp);
            used += len;
            i += Character.charCount(cp);
        }
        return sb.toString();
    }
}
