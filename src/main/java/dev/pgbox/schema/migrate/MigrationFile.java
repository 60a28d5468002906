package dev.pgbox.schema.migrate;

import java.nio.file.Path;
import java.util.Comparator;

/**
 * One version of an app's migrations as found on disk.
 *
 * @param version the digits in front of the name (the UTC time it was created, yyyyMMddHHmmss)
 * @param name    the slug after the version, e.g. add_avatar
 * @param up      the .up.sql file, or null when only the .down.sql exists
 * @param down    the .down.sql file, or null when only the .up.sql exists
 */
public record MigrationFile(String version, String name, Path up, Path down) {
    /** Versions compare as numbers (a shorter version is older), then as text. */
    static final Comparator<String> ORDER_KEY = Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder());

    MigrationFile withUp(Path file) {
        return new MigrationFile(version, name, file, down);
    }

    MigrationFile withDown(Path file) {
        return new MigrationFile(version, name, up, file);
    }

    /** How messages name it: {@code 20261202031500_add_avatar}. */
    public String label() {
        return version + "_" + name;
    }
}
