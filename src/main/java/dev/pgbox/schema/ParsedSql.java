package dev.pgbox.schema;

import java.util.List;

/** A script as PostgreSQL's parser sees it: its statements in order. */
public record ParsedSql(String source, String sql, List<SqlStatement> statements) {
}
