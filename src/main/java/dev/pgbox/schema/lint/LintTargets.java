package dev.pgbox.schema.lint;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import dev.pgbox.schema.migrate.MigrationFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What {@code pgbox schema lint FILE|DIR|APP} reads. A FILE is one script. A DIR is every {@code *.sql}
 * in it (not in subfolders): the up files (and plain scripts) in name order, then the {@code .down.sql}
 * files, so a down file sees every table the up files create. An APP (when no such file or folder
 * exists) is the up files of {@code migrations/APP} in the project: what 'pgbox migrate up' runs.
 *
 * @param app the app whose database a live lint checks against (null for a FILE or DIR)
 */
public record LintTargets(String shown, List<SqlSource> sources, AppName app) {

    /** Resolves the argument: an existing path first, else an app name. */
    public static LintTargets resolve(Path projectDir, String arg) {
        Path p = Path.of(arg);
        if (Files.isRegularFile(p)) {
            return new LintTargets(arg, List.of(read(p, arg)), null);
        }
        if (Files.isDirectory(p)) {
            List<Path> files = sqlFiles(p, true);
            if (files.isEmpty()) {
                throw new PgboxException(ErrorKind.USAGE, "no .sql files in " + arg, "schema lint reads the *.sql files of a folder",
                        "name a .sql file, a folder of them, or an app");
            }
            return new LintTargets(arg, files.stream().map(f -> read(f, p.resolve(f.getFileName()).toString())).toList(), null);
        }
        if (arg.contains("/") || arg.endsWith(".sql")) {
            throw new PgboxException(ErrorKind.USAGE, "no such file or folder: " + arg, "schema lint reads a .sql file, a folder or an app's migrations",
                    "check the path");
        }
        AppName app = new AppName(arg);
        Path folder = MigrationFiles.folder(projectDir, app);
        List<Path> files = Files.isDirectory(folder) ? sqlFiles(folder, false) : List.of();
        if (files.isEmpty()) {
            throw new PgboxException(ErrorKind.USAGE, "no migrations for app " + app + " (no " + folder + "/*.up.sql)",
                    "an APP argument lints the up files of migrations/APP in the project folder",
                    "create one with 'pgbox migrate new " + app + " \"what it does\"', or name a .sql file or folder");
        }
        return new LintTargets(arg, files.stream().map(f -> read(f, projectDir.relativize(f).toString())).toList(), app);
    }

    private static List<Path> sqlFiles(Path dir, boolean withDown) {
        List<Path> all;
        try (Stream<Path> s = Files.list(dir)) {
            all = s.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().endsWith(".sql"))
                    .sorted(Comparator.comparing(f -> f.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Path> out = new ArrayList<>(all.stream().filter(f -> !isDown(f)).toList());
        if (withDown) {
            out.addAll(all.stream().filter(LintTargets::isDown).toList());
        } else {
            out.removeIf(f -> !f.getFileName().toString().endsWith(".up.sql"));
        }
        return out;
    }

    private static boolean isDown(Path f) {
        return f.getFileName().toString().endsWith(".down.sql");
    }

    private static SqlSource read(Path file, String shown) {
        try {
            return new SqlSource(shown, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot read " + shown, e.getMessage(), "check the file's permissions");
        }
    }
}
