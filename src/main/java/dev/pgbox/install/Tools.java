package dev.pgbox.install;

/** Absolute paths of the system tools pgbox runs (Debian's locations). */
public final class Tools {
    public static final String PGBACKREST = "/usr/bin/pgbackrest";
    public static final String OPENSSL = "/usr/bin/openssl";
    public static final String ETCD = "/usr/bin/etcd";
    public static final String ETCDCTL = "/usr/bin/etcdctl";
    /** Debian's Python 3: Patroni runs on it (never a python3 found first on PATH, such as a pyenv shim). */
    public static final String PYTHON3 = "/usr/bin/python3";

    private Tools() {
    }

    /** libpg_query (PostgreSQL's parser as a library) where Debian puts it, or null; the runtime package has only the versioned name. */
    public static java.nio.file.Path libpgQuery() {
        for (String dir : java.util.List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/usr/local/lib")) {
            java.nio.file.Path d = java.nio.file.Path.of(dir);
            if (!java.nio.file.Files.isDirectory(d)) {
                continue;
            }
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(d)) {
                var found = files.filter(f -> f.getFileName().toString().startsWith("libpg_query.so")).sorted().findFirst();
                if (found.isPresent()) {
                    return found.get();
                }
            } catch (java.io.IOException e) {
                // try the next folder
            }
        }
        return null;
    }
}
