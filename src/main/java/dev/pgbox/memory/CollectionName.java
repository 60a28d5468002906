package dev.pgbox.memory;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.sql.SqlText;

/**
 * A validated memory collection name. The collection lives in the app's database as the table
 * {@code public.np_NAME} (the np_ convention; "memories" gives the seed's np_memories), so the name is
 * checked before any SQL runs: lowercase letters, digits and _, starting with a letter, short enough
 * that the longest index name (np_NAME_source_account_id_idx) fits PostgreSQL's 63 bytes.
 */
public record CollectionName(String value) {
    /** np_ + name + _source_account_id_idx must fit 63 bytes. */
    public static final int MAX_LENGTH = 36;

    public CollectionName {
        String why = problem(value);
        if (why != null) {
            throw new PgboxException(ErrorKind.USAGE, "invalid collection name " + SqlText.shown(value), why,
                    "use lowercase letters, digits and _, starting with a letter, at most " + MAX_LENGTH + " characters, e.g. memories");
        }
    }

    /** Why a name is not allowed, or null when it is. */
    public static String problem(String v) {
        if (v == null || v.isEmpty()) {
            return "the name is empty";
        }
        if (v.length() > MAX_LENGTH) {
            return "it is " + v.length() + " characters long; its table and index names must fit PostgreSQL's 63 bytes";
        }
        if (!v.matches("[a-z][a-z0-9_]*")) {
            return "it may hold only a-z, 0-9 and _, and must start with a letter";
        }
        return null;
    }

    /** The table's name (unqualified): np_NAME. */
    public String table() {
        return "np_" + value;
    }

    /** The table, schema-qualified and safe to splice into SQL (the name is validated). */
    public String sql() {
        return "public." + table();
    }

    @Override
    public String toString() {
        return value;
    }
}
