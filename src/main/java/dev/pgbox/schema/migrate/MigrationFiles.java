package dev.pgbox.schema.migrate;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The migration files of an app: {@code migrations/APP/<version>_<slug>.up.sql} and {@code .down.sql}
 * in the project folder; the version is the UTC time of creation (yyyyMMddHHmmss), so files sort
 * in the order they were written.
 */
public final class MigrationFiles {
    private static final DateTimeFormatter VERSION = DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT);

    private MigrationFiles() {
    }

    /** The folder of one app's migrations. */
    public static Path folder(Path projectDir, AppName app) {
        return projectDir.resolve("migrations").resolve(app.value());
    }

    /** "add avatar" becomes add_avatar; only a-z, 0-9 and _ are kept. */
    public static String slug(String description) {
        String s = description.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
        if (s.isEmpty()) {
            throw new PgboxException(ErrorKind.USAGE, "cannot name a migration '" + description + "'",
                    "the description has no letters or digits", "describe the change in words, e.g. \"add avatar\"");
        }
        return s.length() > 60 ? s.substring(0, 60) : s;
    }

    /**
     * Writes a new up/down pair (never over an existing file) and returns both paths; the version is
     * now (UTC), or one second after the newest existing version when that is not earlier.
     */
    public static List<Path> create(Path projectDir, AppName app, String description, String up, String down) {
        String slug = slug(description);
        Path dir = folder(projectDir, app);
        try {
            Files.createDirectories(dir);
            ZonedDateTime at = ZonedDateTime.now(ZoneOffset.UTC).withNano(0);
            String newest = newestVersion(dir);
            String version = VERSION.format(at);
            while (newest != null && version.compareTo(newest) <= 0) {
                at = at.plusSeconds(1);
                version = VERSION.format(at);
            }
            Path upFile = dir.resolve(version + "_" + slug + ".up.sql");
            Path downFile = dir.resolve(version + "_" + slug + ".down.sql");
            Files.writeString(upFile, up, java.nio.file.StandardOpenOption.CREATE_NEW);
            Files.writeString(downFile, down, java.nio.file.StandardOpenOption.CREATE_NEW);
            return List.of(upFile, downFile);
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot write a migration in " + dir, e.toString(),
                    "check that the project folder is writable");
        }
    }

    /** A name a migration file may have: {@code <digits>_<slug>.up.sql} or {@code .down.sql}. */
    static final java.util.regex.Pattern FILE = java.util.regex.Pattern.compile("(\\d+)_([a-z0-9_]+)\\.(up|down)\\.sql");

    /**
     * Every migration of {@code app} in version order: each version with its up and down file (either
     * may be null when only the other exists). Files with other names are ignored; two names for one
     * version are refused.
     */
    public static List<MigrationFile> list(Path projectDir, AppName app) {
        Path dir = folder(projectDir, app);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        java.util.TreeMap<String, MigrationFile> byVersion = new java.util.TreeMap<>(MigrationFile.ORDER_KEY);
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                java.util.regex.Matcher m = FILE.matcher(f.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                String version = m.group(1);
                String name = m.group(2);
                MigrationFile had = byVersion.getOrDefault(version, new MigrationFile(version, name, null, null));
                if (!had.name().equals(name)) {
                    throw new PgboxException(ErrorKind.USAGE, "two migrations of app '" + app + "' have version " + version,
                            had.name() + " and " + name + " in " + dir,
                            "rename one of them to a newer version (pgbox migrate new " + app + " \"...\" makes a fresh pair)");
                }
                byVersion.put(version, m.group(3).equals("up") ? had.withUp(f) : had.withDown(f));
            }
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot read the migrations in " + dir, e.toString(),
                    "check that the folder is readable");
        }
        return List.copyOf(byVersion.values());
    }

    /** The SHA-256 of a file's bytes, in hex: what the history table records to notice later edits. */
    public static String checksum(Path file) {
        try {
            return checksum(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot read " + file, e.toString(), "check that the file is readable");
        }
    }

    static String checksum(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** A file's text (UTF-8). */
    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot read " + file, e.toString(), "check that the file is readable (UTF-8)");
        }
    }

    private static String newestVersion(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("\\d+_.*\\.(up|down)\\.sql"))
                    .map(n -> n.substring(0, n.indexOf('_'))).max(String::compareTo).orElse(null);
        }
    }
}
