package dev.pgbox.schema.lint;

/**
 * One rule that fired on one statement.
 *
 * @param rule      the rule's id, as an accept comment names it (e.g. require-concurrent-index-creation)
 * @param severity  "error" (migrate up refuses) or "warning"
 * @param source    the script's name (a file path)
 * @param line      1-based line of the statement
 * @param column    1-based column of the statement
 * @param statement the statement's first line, shortened
 * @param message   what is dangerous here and why (which lock, for how long, on how big a table)
 * @param fix       the safe alternative, as SQL where there is one
 * @param accepted  true when an accept comment in front of the statement names this rule
 * @param reason    the reason the accept comment gives (null when not accepted)
 */
public record LintFinding(String rule, String severity, String source, int line, int column, String statement, String message,
        String fix, boolean accepted, String reason) {
}
