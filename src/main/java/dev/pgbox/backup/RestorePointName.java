package dev.pgbox.backup;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.sql.SqlText;
import java.util.regex.Pattern;

/**
 * The rule for restore point names. A name reaches SQL (pg_create_restore_point), a tab-separated
 * file, and pgBackRest's --target (which writes recovery_target_name into the server's
 * configuration), so it is held to characters that mean nothing in any of them.
 */
public final class RestorePointName {
    private static final Pattern FORM = Pattern.compile("[A-Za-z0-9_.:-]{1,60}");

    private RestorePointName() {
    }

    /** Returns {@code name} when it is allowed, else throws a usage error. */
    public static String require(String name) {
        if (name == null || !FORM.matcher(name).matches()) {
            throw new PgboxException(ErrorKind.USAGE, "invalid restore point name " + SqlText.shown(name),
                    "names are 1 to 60 letters, digits and _ . : -", "e.g. pgbox db restore-point before-migration-42");
        }
        return name;
    }
}
