package dev.pgbox.cluster;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;

/** Writes files and folders owned by the OS user that runs the server, atomically where it matters. */
public final class OwnedFiles {
    private OwnedFiles() {
    }

    /** Replaces {@code file} (write to a sibling, then rename) and gives it to {@code owner}. */
    public static void write(Path file, String text, String owner, String mode) {
        try {
            Path tmp = file.resolveSibling("." + file.getFileName() + ".pgbox-tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
            chown(tmp, owner);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw cannot("write", file, e);
        }
    }

    /**
     * Creates {@code dir} (and missing parents) owned by {@code owner} with {@code mode}; returns true
     * when it created it. An existing folder is left exactly as it is: pgbox sets mode and owner only on
     * what it created (the folder may be the user's, shared with others).
     */
    public static boolean directory(Path dir, String owner, String mode) {
        if (Files.isDirectory(dir)) {
            return false;
        }
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
            chown(dir, owner);
            return true;
        } catch (IOException e) {
            throw cannot("create", dir, e);
        }
    }

    /**
     * Creates {@code dir} (its parent must exist) with an atomic mkdir, owned by {@code owner} with
     * {@code mode}; false when it exists already, so concurrent callers can each claim a unique name.
     */
    public static boolean createNew(Path dir, String owner, String mode) {
        try {
            Files.createDirectory(dir);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw cannot("create", dir, e);
        }
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
            chown(dir, owner);
            return true;
        } catch (IOException e) {
            throw cannot("create", dir, e);
        }
    }

    /** The file in a folder pgbox created at a place the user named (PGBOX_LOG_DIR, BACKUP_REPO, --dest, ...). */
    public static final String MARKER = ".pgbox-owned";

    /**
     * Where pgbox writes when the user names {@code requested}: the folder itself when it does not exist
     * yet (pgbox creates it) or pgbox created it earlier (it holds {@link #MARKER}); inside an existing
     * folder of the user's, its own subfolder {@code pgbox-<project>-<hash>} (see {@link #subfolderName}),
     * so the user's folder keeps its mode and owner. Stable across runs.
     */
    public static Path placeIn(Path requested, Path projectDir) {
        if (!Files.isDirectory(requested) || Files.exists(requested.resolve(MARKER))) {
            return requested;
        }
        return requested.resolve(subfolderName(projectDir));
    }

    /** pgbox-&lt;project folder name&gt;-&lt;8 hex digits of the project path&gt;: two projects never share one. */
    public static String subfolderName(Path projectDir) {
        Path abs = projectDir.toAbsolutePath().normalize();
        String name = abs.getFileName() == null ? "root" : abs.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        return "pgbox-" + name + "-" + Layout.shortHash(abs.toString());
    }

    /**
     * Creates a folder {@link #placeIn} chose, marks it as pgbox's, and checks that {@code owner} (who
     * writes there) can reach it. An existing folder is left as it is.
     */
    public static void ownedDirectory(Path dir, String owner, String mode) {
        if (directory(dir, owner, mode)) {
            write(dir.resolve(MARKER), "Created by pgbox: it sets the mode and owner of this folder and writes into it.\n",
                    owner, "rw-r--r--");
        }
        if (!dev.pgbox.cluster.Layout.reachable(dir, owner)) {
            throw new PgboxException(ErrorKind.PERMISSION, "the '" + owner + "' OS user cannot reach " + dir,
                    "a folder above it lacks the search (x) permission for that user, and pgbox does not change folders it did not create",
                    "choose a folder '" + owner + "' can reach, or give it access yourself (e.g. chmod o+x on the folder above)");
        }
    }

    /** Gives the file to {@code owner} and the owner's primary group (as initdb's files are). */
    static void chown(Path p, String owner) throws IOException {
        UserPrincipalLookupService lookup = p.getFileSystem().getUserPrincipalLookupService();
        if (!Files.getOwner(p).getName().equals(owner)) {
            Files.setOwner(p, lookup.lookupPrincipalByName(owner));
        }
        var account = dev.pgbox.exec.OsUser.byName(owner);
        if (account.isPresent() && (Integer) Files.getAttribute(p, "unix:gid") != account.get().gid()) {
            Files.setAttribute(p, "unix:gid", account.get().gid());
        }
    }

    /**
     * Gives a folder pgbox made to {@code owner} when it is still root's (as earlier versions left it).
     * Only for pgbox's own folders; a user's folder is never adopted.
     */
    public static void adopt(Path dir, String owner) {
        try {
            if (Files.isDirectory(dir) && Files.getOwner(dir).getName().equals("root") && !owner.equals("root")) {
                chown(dir, owner);
            }
        } catch (IOException e) {
            throw cannot("change the owner of", dir, e);
        }
    }

    /**
     * A log file pgbox's processes append to, whichever user starts them (root's 'pgbox start', or the
     * agent as the server's OS user): created when missing, and given to {@code owner} when it is root's.
     */
    public static void appendable(Path file, String owner, String mode) {
        try {
            if (!Files.exists(file)) {
                Files.createFile(file);
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
            }
            if (Files.getOwner(file).getName().equals("root") && !owner.equals("root")) {
                chown(file, owner);
            }
        } catch (IOException e) {
            throw cannot("prepare the log file", file, e);
        }
    }

    /** Removes a folder and everything in it (best effort: a leftover is cleaned by the next run). */
    public static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (java.util.stream.Stream<Path> s = Files.walk(root)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    public static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw cannot("read", file, e);
        }
    }

    private static PgboxException cannot(String verb, Path p, IOException e) {
        return new PgboxException(ErrorKind.PERMISSION, "cannot " + verb + " " + p, e.toString(),
                "check the owner and mode of " + p.getParent() + " (pgbox runs the server as its OS user)");
    }
}
