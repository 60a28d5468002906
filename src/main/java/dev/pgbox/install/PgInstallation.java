package dev.pgbox.install;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/** Where Debian puts one PostgreSQL major: binaries, extension control files and libraries. */
public record PgInstallation(int major, Path binDir, Path extensionDir, Path libDir) {
    static final Path ROOT = Path.of("/usr/lib/postgresql");

    public static PgInstallation of(int major) {
        return new PgInstallation(major, ROOT.resolve(major + "/bin"),
                Path.of("/usr/share/postgresql/" + major + "/extension"), ROOT.resolve(major + "/lib"));
    }

    /** The newest major with a server binary installed. */
    public static Optional<Integer> newestInstalled() {
        if (!Files.isDirectory(ROOT)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("\\d+"))
                    .map(Integer::parseInt)
                    .filter(m -> Files.isExecutable(ROOT.resolve(m + "/bin/postgres")))
                    .max(Comparator.naturalOrder());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public Path bin(String tool) {
        return binDir.resolve(tool);
    }

    public boolean hasServer() {
        return Files.isExecutable(bin("postgres")) && Files.isExecutable(bin("initdb")) && Files.isExecutable(bin("pg_ctl"))
                && Files.isExecutable(bin("psql"));
    }

    public boolean hasExtension(String name) {
        return Files.exists(extensionDir.resolve(name + ".control"));
    }
}
