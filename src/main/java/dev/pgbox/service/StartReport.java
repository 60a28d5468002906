package dev.pgbox.service;

import java.util.List;

/**
 * What {@code pgbox start} (or restart) did and how to reach the server now.
 *
 * @param actions what was done, in words, in order; empty when everything already ran as wanted
 * @param alreadyRunning true when nothing had to be done
 * @param pid the postmaster's PID, -1 when unknown
 * @param url the libpq URL of the main database (no password)
 * @param passwordFile where POSTGRES_PASSWORD is kept (never shown)
 * @param socketDir where the superuser connects by peer auth as {@code osUser}
 */
public record StartReport(List<String> actions, boolean alreadyRunning, long pid, String url, String jdbcUrl, String user,
                          String passwordFile, String socketDir, String osUser, String dataDir, String logDir) {
}
