package dev.pgbox.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One statement of a script as PostgreSQL parsed it.
 *
 * @param index    0-based position in the script
 * @param kind     the parse node's type, e.g. IndexStmt, AlterTableStmt, CreateStmt, VacuumStmt
 * @param node     the node's fields (libpg_query's JSON of PostgreSQL's parse tree)
 * @param text     the statement's SQL without the comments in front of it or the semicolon's blanks
 * @param line     line of its first character (1-based)
 * @param column   column of its first character (1-based)
 * @param comments the comments right in front of it (after the previous statement), markers removed
 */
public record SqlStatement(int index, String kind, JsonNode node, String text, int line, int column, List<String> comments) {

    /** The first line of the text, cut to {@code max} characters: how messages name a statement. */
    public String shortText(int max) {
        String first = text.lines().findFirst().orElse("").strip();
        boolean more = text.lines().count() > 1 || first.length() > max;
        return (first.length() > max ? first.substring(0, max) : first) + (more ? " ..." : "");
    }
}
