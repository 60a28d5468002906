package dev.pgbox.schema.lint;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Accept comments in front of a statement: pgbox's own {@code -- pgbox-lint: accept <rule>[,<rule>] because <reason>}
 * (a reason is required), squawk's {@code -- squawk-ignore <rule>[,<rule>]} (its reason optional, as in squawk),
 * and their file-wide forms {@code accept-file} / {@code squawk-ignore-file} in front of a script's first statement.
 */
final class Accepts {
    private static final Pattern PGBOX = Pattern.compile(
            "pgbox-lint:\\s*(accept-file|accept)\\b\\s*([a-z0-9_-]+(?:\\s*,\\s*[a-z0-9_-]+)*)?\\s*(.*)", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern SQUAWK = Pattern.compile(
            "squawk-ignore(-file)?\\b\\s*([a-z0-9_-]+(?:\\s*,\\s*[a-z0-9_-]+)*)?\\s*(.*)", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    /** Rule id to the reason it was accepted with. */
    final Map<String, String> statement = new HashMap<>();
    final Map<String, String> file = new HashMap<>();
    /** Problems with the comments themselves: no reason, unknown rule. */
    final List<Hit> problems = new ArrayList<>();

    /** Reads the comments in front of one statement; {@code first}: the script's first statement, where file-wide accepts go. */
    static Accepts read(List<String> comments, boolean first) {
        Accepts a = new Accepts();
        for (String comment : comments) {
            for (String line : comment.lines().map(String::strip).toList()) {
                Matcher p = PGBOX.matcher(line);
                Matcher q = SQUAWK.matcher(line);
                if (p.matches()) {
                    a.add(p.group(2), reason(p.group(3)), p.group(1).equalsIgnoreCase("accept-file"), first, true, line);
                } else if (q.matches()) {
                    String reason = reason(q.group(3));
                    a.add(q.group(2), reason == null ? "squawk-ignore (no reason given)" : reason, q.group(1) != null, first, false, line);
                }
            }
        }
        return a;
    }

    /** "because X", "(X)", "-- X" or ": X" after the rule names; null when there is none. */
    private static String reason(String rest) {
        String r = rest == null ? "" : rest.strip();
        String lower = r.toLowerCase(Locale.ROOT);
        if (lower.startsWith("because")) {
            r = r.substring("because".length());
        } else if (r.startsWith("(") && r.endsWith(")")) {
            r = r.substring(1, r.length() - 1);
        } else if (r.startsWith(":") || r.startsWith("-")) {
            r = r.replaceFirst("^[:\\-\\s]+", "");
        }
        r = r.strip();
        return r.isEmpty() ? null : r;
    }

    private void add(String names, String reason, boolean fileWide, boolean first, boolean pgbox, String line) {
        if (names == null || names.isBlank()) {
            problems.add(new Hit(LintRule.ACCEPT_UNKNOWN_RULE, null, "the accept comment '" + line + "' names no rule",
                    "-- pgbox-lint: accept <rule> because <reason>"));
            return;
        }
        if (pgbox && reason == null) {
            problems.add(new Hit(LintRule.ACCEPT_WITHOUT_REASON, null, "the accept comment '" + line + "' gives no reason, so it accepts nothing",
                    "-- pgbox-lint: accept " + names.strip() + " because <why this is safe here>"));
            return;
        }
        if (fileWide && !first) {
            problems.add(new Hit(LintRule.ACCEPT_UNKNOWN_RULE, null, "a file-wide accept must be in front of the script's first statement: '" + line + "'",
                    "move it to the top of the file"));
            return;
        }
        for (String name : names.split(",")) {
            List<LintRule> rules = LintRule.named(name);
            if (rules.isEmpty()) {
                problems.add(new Hit(LintRule.ACCEPT_UNKNOWN_RULE, null, "the accept comment names '" + name.strip() + "', which is no lint rule",
                        "see docs/lint.md for the rule ids"));
            }
            for (LintRule r : rules) {
                (fileWide ? file : statement).put(r.id(), reason);
            }
        }
    }
}
