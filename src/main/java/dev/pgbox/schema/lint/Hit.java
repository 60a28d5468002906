package dev.pgbox.schema.lint;

/**
 * A rule that fired on one statement, before accept comments and table sizes decide its severity.
 *
 * @param table the existing table it is about (null when none, e.g. DROP DATABASE)
 */
record Hit(LintRule rule, TableRef table, String message, String fix) {
}
