package dev.pgbox.install;

/** Absolute paths of the system tools pgbox runs (Debian's locations). */
public final class Tools {
    public static final String PGBACKREST = "/usr/bin/pgbackrest";
    public static final String OPENSSL = "/usr/bin/openssl";

    private Tools() {
    }
}
