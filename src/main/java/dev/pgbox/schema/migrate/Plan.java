package dev.pgbox.schema.migrate;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Pure decisions over files on disk and rows of the history table: status, what up applies, what down reverts. */
final class Plan {
    private Plan() {
    }

    /** Every version on disk or in the history, oldest first, with its state. */
    static List<MigrationStatus> status(List<MigrationFile> files, List<Applied> applied) {
        Map<String, MigrationFile> onDisk = new TreeMap<>(MigrationFile.ORDER_KEY);
        files.forEach(f -> onDisk.put(f.version(), f));
        Map<String, Applied> history = new TreeMap<>(MigrationFile.ORDER_KEY);
        applied.forEach(a -> history.put(a.version(), a));
        TreeSet<String> versions = new TreeSet<>(MigrationFile.ORDER_KEY);
        versions.addAll(onDisk.keySet());
        versions.addAll(history.keySet());
        List<MigrationStatus> out = new ArrayList<>();
        for (String v : versions) {
            MigrationFile f = onDisk.get(v);
            Applied a = history.get(v);
            String up = f == null || f.up() == null ? null : f.up().toString();
            String down = f == null || f.down() == null ? null : f.down().toString();
            if (a == null) {
                out.add(new MigrationStatus(v, f.name(), MigrationStatus.PENDING, up, down, null, null, null, null));
                continue;
            }
            String state = up == null ? MigrationStatus.MISSING
                    : MigrationFiles.checksum(f.up()).equals(a.checksum()) ? MigrationStatus.APPLIED : MigrationStatus.DRIFTED;
            out.add(new MigrationStatus(v, a.name(), state, up, down, a.appliedAt(), a.appliedBy(), a.durationMs(), a.execution()));
        }
        return out;
    }

    /**
     * The pending migrations 'up' applies, oldest first: all of them, or those up to and including
     * {@code to}. Refuses a pending migration older than the newest applied one (merged from another
     * branch: its place in the order is already past) and a version without an up file.
     */
    static List<MigrationFile> toApply(List<MigrationFile> files, List<Applied> applied, String to, String app) {
        if (to != null && files.stream().noneMatch(f -> f.version().equals(to)) && applied.stream().noneMatch(a -> a.version().equals(to))) {
            throw new PgboxException(ErrorKind.USAGE, "no migration of app '" + app + "' has version " + to,
                    "--to names a version: the digits in front of a migration file's name", "see 'pgbox migrate status " + app + "'");
        }
        String newest = applied.stream().map(Applied::version).max(MigrationFile.ORDER_KEY).orElse(null);
        List<String> done = applied.stream().map(Applied::version).toList();
        List<MigrationFile> out = new ArrayList<>();
        for (MigrationFile f : files) {
            if (done.contains(f.version()) || (to != null && MigrationFile.ORDER_KEY.compare(f.version(), to) > 0)) {
                continue;
            }
            if (f.up() == null) {
                throw new PgboxException(ErrorKind.USAGE, "migration " + f.label() + " of app '" + app + "' has no up file",
                        "only " + f.down().getFileName() + " exists", "add " + f.label() + ".up.sql or remove the down file");
            }
            if (newest != null && MigrationFile.ORDER_KEY.compare(f.version(), newest) < 0) {
                throw new PgboxException(ErrorKind.USAGE, "migration " + f.label() + " of app '" + app + "' is older than the newest applied one ("
                        + newest + ") but was never applied",
                        "it was probably merged from another branch; applying it now would run it in a different order than on other databases",
                        "give it a new version: 'pgbox migrate new " + app + " \"...\"', move its SQL there and delete the old pair");
            }
            out.add(f);
        }
        return out;
    }

    /**
     * The applied migrations 'down' reverts, newest first: the newest {@code steps} (default 1), or
     * every one newer than {@code to} ("0" reverts all).
     */
    static List<Applied> toRevert(List<Applied> applied, Integer steps, String to, String app) {
        if (steps != null && to != null) {
            throw new PgboxException(ErrorKind.USAGE, "--steps and --to both given", "each says how far to go back",
                    "use one: --steps N reverts the newest N, --to V reverts every migration newer than V");
        }
        if (steps != null && steps < 1) {
            throw new PgboxException(ErrorKind.USAGE, "--steps " + steps + " is not a positive number", "it counts migrations to revert",
                    "pass --steps 1 or more");
        }
        List<Applied> newestFirst = applied.stream().sorted(Comparator.comparing(Applied::version, MigrationFile.ORDER_KEY).reversed()).toList();
        if (to == null) {
            return newestFirst.subList(0, Math.min(steps == null ? 1 : steps, newestFirst.size()));
        }
        if (!to.equals("0") && newestFirst.stream().noneMatch(a -> a.version().equals(to))) {
            throw new PgboxException(ErrorKind.USAGE, "version " + to + " of app '" + app + "' is not applied",
                    "--to V keeps V and reverts every migration newer than it", "pick an applied version from 'pgbox migrate status "
                            + app + "', or --to 0 to revert all");
        }
        return newestFirst.stream().filter(a -> MigrationFile.ORDER_KEY.compare(a.version(), to) > 0).toList();
    }

    /** The path as messages show it: relative to the project folder when inside it. */
    static String shown(Path projectDir, Path file) {
        return file.startsWith(projectDir) ? projectDir.relativize(file).toString() : file.toString();
    }
}
