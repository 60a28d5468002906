package dev.pgbox.service;

import dev.pgbox.cluster.Instance;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;

/**
 * How an application reaches the main database, for the start and status reports: libpq and JDBC URLs
 * without the password, verifying the server's certificate. (The cli's Connection writes the same
 * URLs for its own commands.)
 */
final class ClientUrls {
    private ClientUrls() {
    }

    static String libpq(Settings s, Instance primary) {
        return "postgresql://" + s.get(Setting.POSTGRES_USER) + "@" + host(primary) + ":" + primary.port() + "/"
                + s.get(Setting.POSTGRES_DB) + "?sslmode=verify-full&sslrootcert=" + primary.clientCertificate();
    }

    static String jdbc(Settings s, Instance primary) {
        return "jdbc:postgresql://" + host(primary) + ":" + primary.port() + "/" + s.get(Setting.POSTGRES_DB) + "?user="
                + s.get(Setting.POSTGRES_USER) + "&sslmode=verify-full&sslrootcert=" + primary.clientCertificate();
    }

    private static String host(Instance primary) {
        return primary.host().contains(":") ? "[" + primary.host() + "]" : primary.host();
    }
}
