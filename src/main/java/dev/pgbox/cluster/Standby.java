package dev.pgbox.cluster;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.config.Settings;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessResult;
import dev.pgbox.exec.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A hot standby's data dir: whether this project's cluster is one (PostgreSQL's standby.signal), the
 * link to its primary (a replication connection over verified TLS), and the clone that makes one:
 * pg_basebackup into a staging folder, then renamed into place, so a failure leaves no half-made data
 * dir. The replication password reaches the tools through their environment, never argv.
 */
public final class Standby {
    /** Physical replication slot names PostgreSQL accepts: lowercase letters, digits and underscores. */
    public static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:-]{1,253}");

    private Standby() {
    }

    /** Whether the project's cluster is a standby (it has standby.signal; promotion removes it). */
    public static boolean is(Layout l) {
        return Files.exists(l.dataDir().resolve("standby.signal"));
    }

    /** The replica's copy of its primary's certificate, which every replication connection verifies against. */
    public static Path primaryCertificate(Layout l) {
        return l.stateDir().resolve("primary.crt");
    }

    /**
     * Where the primary is and how to log in to it as {@link HbaFile#REPLICATION_ROLE}.
     *
     * @param certificate the primary's server.crt, pinned (sslmode=verify-full)
     */
    public record Upstream(String host, int port, String password, Path certificate) {
        public Upstream {
            if (!HOST.matcher(host).matches()) {
                throw new PgboxException(ErrorKind.USAGE, "invalid primary host '" + host + "'",
                        "--primary takes HOST:PORT with an IP address or host name", "e.g. --primary=10.0.0.5:5432");
            }
        }

        /**
         * The libpq connection string of a physical replication connection (without the password,
         * which travels in PGPASSWORD). Pure.
         */
        public String conninfo(String applicationName) {
            return "host=" + quote(host) + " port=" + port + " user=" + HbaFile.REPLICATION_ROLE
                    + " sslmode=verify-full sslrootcert=" + quote(certificate.toString())
                    + " application_name=" + quote(applicationName) + " connect_timeout=10";
        }

        /** "HOST:PORT" for messages. */
        public String address() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    static String quote(String v) {
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /**
     * Connects to the primary as the replication role (IDENTIFY_SYSTEM) and checks that {@code slot}
     * does not exist there yet. Changes nothing anywhere; throws one clear error naming the fix.
     */
    public static void probe(Layout l, Upstream up, String slot) {
        replicationCommand(l, up, slot, "IDENTIFY_SYSTEM");
        String existing = replicationCommand(l, up, slot, "READ_REPLICATION_SLOT " + slot).strip();
        if (!existing.isEmpty() && !existing.startsWith("|")) {
            throw new PgboxException(ErrorKind.CONFIG, "the primary at " + up.address() + " already has a replication slot '" + slot + "'",
                    "another replica (or an earlier try) uses that slot; two replicas on one slot lose WAL",
                    "pick another name with --slot, or drop the old slot on the primary: SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    /**
     * IDENTIFY_SYSTEM on an HA member as the replication role, over TLS verified against the cluster's
     * certificate ({@code rootCert}; its names are only localhost's, so the address is not checked; null:
     * encrypted only): what PostgreSQL said when it failed, else empty.
     */
    public static java.util.Optional<String> replicationLogin(Layout l, String host, int port, String password, Path rootCert) {
        String tls = rootCert == null ? "sslmode=require" : "sslmode=verify-ca sslrootcert=" + quote(rootCert.toString());
        String conninfo = "host=" + quote(host) + " port=" + port + " user=" + HbaFile.REPLICATION_ROLE
                + " " + tls + " connect_timeout=10 dbname=replication replication=true";
        Command c = Command.of(l.pg().bin("psql"), "-X", "-q", "-A", "-t", "-c", "IDENTIFY_SYSTEM", "-d", conninfo)
                .env("PGPASSWORD", password).env("PGCONNECT_TIMEOUT", "10").env("LC_ALL", "C.UTF-8")
                .timeout(Duration.ofSeconds(30)).build();
        ProcessResult r = ProcessRunner.run(c);
        return r.ok() ? java.util.Optional.empty() : java.util.Optional.of(r.stderr().isBlank() ? r.tail(2) : r.stderr().strip());
    }

    /** Drops a slot this clone made, after a failure (best effort: the primary may be gone). */
    private static void dropSlot(Layout l, Upstream up, String slot) {
        try {
            replicationCommand(l, up, slot, "DROP_REPLICATION_SLOT " + slot);
        } catch (PgboxException e) {
            // the slot is left on the primary; the error the user sees is the clone's own
        }
    }

    /** One replication-protocol command through psql (replication=true), run as the current user. */
    private static String replicationCommand(Layout l, Upstream up, String slot, String command) {
        Command c = Command.of(l.pg().bin("psql"), "-X", "-q", "-A", "-t", "-c", command,
                        "-d", up.conninfo(slot) + " dbname=replication replication=true")
                .env("PGPASSWORD", up.password()).env("PGCONNECT_TIMEOUT", "10").env("LC_ALL", "C.UTF-8")
                .timeout(Duration.ofSeconds(30)).build();
        ProcessResult r = ProcessRunner.run(c);
        if (!r.ok()) {
            throw upstreamError(up, r.stderr().isBlank() ? r.tail(2) : r.stderr().strip());
        }
        return r.stdout();
    }

    /** What a failed connection to the primary means, and what fixes it. */
    static PgboxException upstreamError(Upstream up, String said) {
        String cause = said.lines().filter(x -> !x.isBlank()).map(x -> x.replaceFirst("^psql: (error: )?", "")
                .replaceFirst("^pg_basebackup: (error: )?", "")).reduce((a, b) -> a + "; " + b).orElse(said);
        String what = "cannot replicate from the primary at " + up.address();
        if (said.contains("no pg_hba.conf entry")) {
            return new PgboxException(ErrorKind.CONFIG, what + ": it does not let this host in as " + HbaFile.REPLICATION_ROLE, cause,
                    "run 'pgbox db replica --allow ADDRESS' in the primary's project, with the address this host connects from");
        }
        if (said.contains("password authentication failed") || said.contains("no password supplied")) {
            return new PgboxException(ErrorKind.CONFIG, what + ": the replication password was refused", cause,
                    "copy the PGBOX_REPLICATION_PASSWORD line from the primary's .env.secrets into this project's .env.secrets");
        }
        if (said.contains("certificate") || said.contains("SSL") || said.contains("ssl")) {
            return new PgboxException(ErrorKind.CONFIG, what + ": its TLS certificate could not be verified", cause,
                    "give the primary's own server.crt (in its project's .pgbox/run) with --primary-cert, "
                            + "and connect to an address the certificate names");
        }
        if (said.contains("must be superuser or replication role") || said.contains("permission denied")) {
            return new PgboxException(ErrorKind.CONFIG, what + ": " + HbaFile.REPLICATION_ROLE + " may not replicate", cause,
                    "run 'pgbox db replica --allow ADDRESS' in the primary's project to (re)make the role");
        }
        return new PgboxException(ErrorKind.NOT_RUNNING, what + ": no PostgreSQL answered there", cause,
                "check the address and port (POSTGRES_PORT of the primary), that the primary runs ('pgbox status' there), "
                        + "listens on that address (POSTGRES_LISTEN) and that no firewall is in between");
    }

    /**
     * Makes this project's data dir a copy of the primary: its certificate copied to
     * {@link #primaryCertificate}, pg_basebackup with a new slot and -R (standby.signal and
     * primary_conninfo) into a staging folder as the OS user, a TLS key pair of its own, pgbox's
     * configuration, then the rename. Call {@link #probe} and check the data dir first.
     */
    public static void clone(Settings settings, Layout layout, Upstream up, String slot, Progress progress) {
        Path data = layout.dataDir();
        Path staging = data.resolveSibling(data.getFileName() + ".cloning");
        StateFolders.prepare(settings, layout);
        Path cert = primaryCertificate(layout);
        try {
            Files.copy(up.certificate(), cert, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot copy the primary's certificate to " + cert, e.toString(),
                    "check that " + up.certificate() + " is readable");
        }
        OwnedFiles.write(cert, OwnedFiles.read(cert), layout.osUser(), "rw-r--r--");
        Upstream pinned = new Upstream(up.host(), up.port(), up.password(), cert);
        OwnedFiles.deleteTree(staging);
        OwnedFiles.directory(staging, layout.osUser(), "rwx------");
        boolean done = false;
        boolean slotMade = false;
        try {
            progress.step("pg_basebackup from " + up.address() + " with slot '" + slot + "' into " + staging);
            ProcessResult r = ProcessRunner.run(Command.of(layout.pg().bin("pg_basebackup"), "-D", staging.toString(),
                            "-d", pinned.conninfo(slot), "-X", "stream", "-C", "-S", slot, "-R", "-c", "fast", "--no-password")
                    .runAs(layout.osUser()).env("PGPASSWORD", up.password()).env("LC_ALL", "C.UTF-8")
                    .timeout(Duration.ofHours(12)).build());
            slotMade = !r.stderr().contains("already exists");
            if (!r.ok()) {
                throw upstreamError(up, r.stderr().isBlank() ? r.tail(3) : r.stderr().strip());
            }
            for (String own : List.of("server.key", "server.crt", "postmaster.opts", "standby.signal.tmp")) {
                Files.deleteIfExists(staging.resolve(own));
            }
            progress.step("making the replica's own TLS certificate");
            Tls.makeCertificate(layout, staging);
            new ConfigWriter(settings, layout).write(staging);
            if (Files.isDirectory(data)) {
                Files.delete(data); // checked empty before anything was made
            }
            Files.move(staging, data, StandardCopyOption.ATOMIC_MOVE);
            done = true;
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot move the cloned cluster into " + data, e.toString(),
                    "check that " + data.getParent() + " is writable");
        } finally {
            if (!done) {
                OwnedFiles.deleteTree(staging);
                if (slotMade) {
                    dropSlot(layout, pinned, slot);
                }
            }
        }
    }

    /** Whether {@code dir} is missing or an empty folder: the only target a replica is cloned into. */
    public static boolean emptyOrMissing(Path dir) {
        if (!Files.exists(dir)) {
            return true;
        }
        try (var entries = Files.list(dir)) {
            return Files.isDirectory(dir) && entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }
}
