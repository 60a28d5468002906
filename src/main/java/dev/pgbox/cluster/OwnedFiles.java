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

    /** Creates a folder (and parents) owned by {@code owner} with {@code mode}; an existing one keeps its owner. */
    public static void directory(Path dir, String owner, String mode) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                chown(dir, owner);
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
        } catch (IOException e) {
            throw cannot("create", dir, e);
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
