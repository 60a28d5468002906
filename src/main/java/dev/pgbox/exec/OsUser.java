package dev.pgbox.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Facts about OS users, read from /proc and /etc/passwd (no process started). */
public final class OsUser {
    private OsUser() {
    }

    /** One /etc/passwd entry. */
    public record Account(String name, int uid, int gid, Path home) {
    }

    public static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name")) ? 0 : 1000;
        }
    }

    public static boolean isRoot() {
        return currentUid() == 0;
    }

    /** Name of the user this JVM runs as. */
    public static String currentName() {
        int uid = currentUid();
        return byUid(uid).map(Account::name).orElse(System.getProperty("user.name"));
    }

    public static Optional<Account> byName(String name) {
        return accounts().stream().filter(a -> a.name().equals(name)).findFirst();
    }

    public static Optional<Account> byUid(int uid) {
        return accounts().stream().filter(a -> a.uid() == uid).findFirst();
    }

    private static List<Account> accounts() {
        try {
            return Files.readAllLines(Path.of("/etc/passwd")).stream()
                    .filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .map(l -> l.split(":", -1))
                    .filter(f -> f.length >= 6)
                    .map(f -> new Account(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Path.of(f[5])))
                    .toList();
        } catch (IOException | NumberFormatException e) {
            return List.of();
        }
    }
}
