package dev.pgbox.apps;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A validated application name. It names the database and three roles (NAME, NAME_owner,
 * NAME_readonly), so it is checked before any SQL runs: lowercase letters, digits and _, starting with
 * a letter, short enough that the longest role name fits PostgreSQL's 63 bytes, and not a word SQL or
 * PostgreSQL reserves. Names are still always quoted as identifiers.
 */
public record AppName(String value) {
    /** Longest name: "NAME_readonly" must fit 63 bytes with room to spare. */
    public static final int MAX_LENGTH = 40;

    /** PostgreSQL's reserved and type/function-name keywords, plus names with a meaning of their own. */
    static final Set<String> RESERVED = java.util.stream.Stream.concat(dev.pgbox.sql.SqlText.RESERVED_KEYWORDS.stream(),
            Stream.of("public", "none", "postgres", "template0", "template1", "partman", "cron", "pgbox")).collect(java.util.stream.Collectors.toUnmodifiableSet());

    public AppName {
        String why = problem(value);
        if (why != null) {
            throw new PgboxException(ErrorKind.USAGE, "invalid app name " + shown(value), why,
                    "use lowercase letters, digits and _, starting with a letter, at most " + MAX_LENGTH
                            + " characters, e.g. 'shop' or 'news_feed'");
        }
    }

    /** Why a name is not allowed, or null when it is. */
    public static String problem(String v) {
        if (v == null || v.isEmpty()) {
            return "the name is empty";
        }
        if (v.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
            return "it is " + v.getBytes(StandardCharsets.UTF_8).length + " bytes long; role names such as "
                    + "<name>_readonly must fit PostgreSQL's 63-byte limit";
        }
        if (!v.equals(v.toLowerCase(Locale.ROOT))) {
            return "it has uppercase letters, which PostgreSQL folds to lowercase unless quoted everywhere";
        }
        if (!v.matches("[a-z][a-z0-9_]*")) {
            return "it may hold only a-z, 0-9 and _, and must start with a letter";
        }
        if (v.startsWith("pg_")) {
            return "names starting with pg_ are reserved for PostgreSQL's own roles";
        }
        if (RESERVED.contains(v)) {
            return "'" + v + "' is a reserved word in SQL or PostgreSQL";
        }
        if (v.endsWith("_owner") || v.endsWith("_readonly")) {
            return "names ending in _owner or _readonly would clash with the roles pgbox makes for another app";
        }
        return null;
    }

    private static String shown(String v) {
        return dev.pgbox.sql.SqlText.shown(v);
    }

    /** The LOGIN role the application connects as. */
    public String loginRole() {
        return value;
    }

    /** The NOLOGIN role that owns the database, schema and tables. */
    public String ownerRole() {
        return value + "_owner";
    }

    /** The NOLOGIN group role with SELECT on everything, to grant to people and reporting tools. */
    public String readonlyRole() {
        return value + "_readonly";
    }

    /** The .env.secrets variable that holds the login role's password. */
    public String passwordVariable() {
        return "PGBOX_APP_" + value.toUpperCase(Locale.ROOT) + "_PASSWORD";
    }

    @Override
    public String toString() {
        return value;
    }
}
