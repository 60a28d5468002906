package dev.pgbox.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.install.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL's own parser, outside the server: libpg_query (Debian's libpg-query1504.0, the
 * parser of PostgreSQL 15 as a library) called through JNA. It turns a script into statements,
 * each with its parse tree as JSON, its place in the text and the comments in front of it. A
 * script that does not parse gives the server's own message with a line and column.
 */
public final class SqlParser {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile PgQuery library;

    private SqlParser() {
    }

    /** The library's calls pgbox uses (pg_query.h). */
    public interface PgQuery extends Library {
        ParseResult.ByValue pg_query_parse(String input);

        void pg_query_free_parse_result(ParseResult.ByValue result);
    }

    /** PgQueryParseResult: the JSON parse tree, or an error. */
    @Structure.FieldOrder({"parse_tree", "stderr_buffer", "error"})
    public static class ParseResult extends Structure {
        public Pointer parse_tree;
        public Pointer stderr_buffer;
        public ErrorInfo.ByReference error;

        /** Returned by value. */
        public static class ByValue extends ParseResult implements Structure.ByValue {
        }
    }

    /** PgQueryError. */
    @Structure.FieldOrder({"message", "funcname", "filename", "lineno", "cursorpos", "context"})
    public static class ErrorInfo extends Structure {
        public Pointer message;
        public Pointer funcname;
        public Pointer filename;
        public int lineno;
        public int cursorpos;
        public Pointer context;

        /** Pointed to by a parse result. */
        public static class ByReference extends ErrorInfo implements Structure.ByReference {
        }
    }

    /** True when libpg_query is installed. */
    public static boolean available() {
        return Tools.libpgQuery() != null;
    }

    private static PgQuery library() {
        PgQuery l = library;
        if (l == null) {
            synchronized (SqlParser.class) {
                if (library == null) {
                    Path path = Tools.libpgQuery();
                    if (path == null) {
                        throw new PgboxException(ErrorKind.INSTALL_REQUIRED, "cannot parse SQL: libpg_query is not installed",
                                "pgbox parses SQL with PostgreSQL's own parser from Debian's libpg-query1504.0 package",
                                "run 'pgbox install' (or apt-get install libpg-query1504.0)");
                    }
                    library = Native.load(path.toString(), PgQuery.class, Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));
                }
                l = library;
            }
        }
        return l;
    }

    /**
     * Parses a whole script.
     *
     * @param source shown in messages (a file name)
     * @throws SqlSyntaxException when PostgreSQL's grammar rejects it
     */
    public static ParsedSql parse(String source, String sql) {
        String json;
        PgQuery lib = library();
        ParseResult.ByValue r = lib.pg_query_parse(sql);
        try {
            if (r.error != null) {
                String message = r.error.message == null ? "syntax error" : r.error.message.getString(0, "UTF-8");
                int cursor = r.error.cursorpos; // 1-based, in characters; 0 when the error has no position
                throw new SqlSyntaxException(source, message, sql, cursor <= 0 ? -1 : cursor - 1);
            }
            json = r.parse_tree.getString(0, "UTF-8");
        } finally {
            lib.pg_query_free_parse_result(r);
        }
        return fromTree(source, sql, json);
    }

    static ParsedSql fromTree(String source, String sql, String json) {
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.FAILURE, "cannot read libpg_query's parse tree of " + source, e.getMessage(),
                    "report this with the SQL that caused it");
        }
        byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
        TextPositions positions = new TextPositions(sql);
        List<SqlStatement> out = new ArrayList<>();
        for (JsonNode raw : tree.path("stmts")) {
            int start = raw.path("stmt_location").asInt(0);
            int len = raw.path("stmt_len").asInt(0);
            int end = len == 0 ? bytes.length : start + len; // 0: up to the end of the script
            String span = new String(bytes, start, end - start, StandardCharsets.UTF_8);
            int charStart = positions.charIndex(start);
            int body = Comments.skipLeading(span);
            String text = span.substring(body).strip();
            JsonNode stmt = raw.path("stmt");
            String kind = stmt.fieldNames().hasNext() ? stmt.fieldNames().next() : "";
            int at = charStart + body;
            out.add(new SqlStatement(out.size(), kind, stmt.path(kind), text, positions.line(at), positions.column(at),
                    Comments.in(span.substring(0, body))));
        }
        return new ParsedSql(source, sql, List.copyOf(out));
    }
}
