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
}
