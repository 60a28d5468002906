package dev.pgbox.schema.audit;

import dev.pgbox.security.Finding.Severity;

/**
 * One result of 'pgbox schema audit': how bad (the audits' shared severities: high makes the command
 * exit 11), which check, on which table, what is wrong, the SQL that fixes it, and whether --fix may
 * apply that SQL by itself ({@code safe}).
 *
 * @param table schema.table as SQL (quoted where needed)
 * @param fix the fixing SQL (several statements end with ';'; a safe fix is one statement without one)
 * @param safe --fix applies it: it takes no long lock, rewrites nothing and changes no query's result
 * @param createsIndex the schema-qualified index the fix builds CONCURRENTLY (checked for indisvalid), or null
 */
public record SchemaFinding(Severity severity, String check, String table, String detail, String fix, boolean safe,
                            String createsIndex) {

    static SchemaFinding manual(Severity severity, String check, String table, String detail, String fix) {
        return new SchemaFinding(severity, check, table, detail, fix, false, null);
    }

    static SchemaFinding safe(Severity severity, String check, String table, String detail, String fix) {
        return new SchemaFinding(severity, check, table, detail, fix, true, null);
    }
}
