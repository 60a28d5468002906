package dev.pgbox.schema.lint;

/** A script to lint: its name as messages show it (a file path) and its text. */
public record SqlSource(String name, String sql) {
}
