package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.Json;
import dev.pgbox.PgboxException;
import dev.pgbox.replication.ReplicaReport;
import dev.pgbox.replication.Replicas;
import dev.pgbox.service.StartService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "replica", mixinStandardHelpOptions = true,
        description = {"Streaming replicas (no automatic failover). See the README's Replicas section.",
                "On the primary: --allow ADDRESS (replication role, one hostssl pg_hba line).",
                "On a new project: --init --primary=HOST:PORT and --primary-project DIR or",
                "  --primary-cert FILE: clones the primary and starts a hot standby.",
                "Either side: --status [--json]. On the replica: --promote."})
final class ReplicaCommand extends BaseCommand implements Callable<Integer> {
    static final class Action {
        @Option(names = "--allow", paramLabel = "ADDRESS", description = "Let the replica at ADDRESS (one host's IP) stream from this primary.")
        String allow;

        @Option(names = "--init", description = "Make this project a replica of --primary.")
        boolean init;

        @Option(names = "--status", description = "Show the replication streams.")
        boolean status;

        @Option(names = "--promote", description = "Turn this replica into a primary.")
        boolean promote;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Action action = new Action();

    @Option(names = "--primary", paramLabel = "HOST:PORT", description = "With --init: the primary's address and POSTGRES_PORT.")
    String primary;

    @Option(names = "--primary-project", paramLabel = "DIR",
            description = "With --init, primary on this machine: its project folder (password and certificate are read from it).")
    Path primaryProject;

    @Option(names = "--primary-cert", paramLabel = "FILE",
            description = "With --init: the primary's server.crt (copied from its .pgbox/run), verified with sslmode=verify-full.")
    Path primaryCert;

    @Option(names = "--slot", paramLabel = "NAME", description = "With --init: the replication slot's name (default: from this folder's name).")
    String slot;

    @Option(names = "--json", description = "With --status: print the report as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (!action.init && (primary != null || primaryProject != null || primaryCert != null || slot != null)) {
            throw new PgboxException(ErrorKind.USAGE, "--primary, --primary-project, --primary-cert and --slot go with --init only",
                    "they describe the primary a new replica clones", "e.g. pgbox db replica --init --primary=10.0.0.5:5432 --primary-cert primary.crt");
        }
        if (json && !action.status) {
            throw new PgboxException(ErrorKind.USAGE, "--json goes with --status only", "only the status is a report", "pgbox db replica --status --json");
        }
        if (action.allow != null) {
            Replicas.Access a = Replicas.allow(settings(), action.allow);
            out().println("replica at " + a.address() + " allowed: " + a.hbaLine());
            out().println("  role:        " + a.role() + " (LOGIN REPLICATION)");
            out().println("  password:    PGBOX_REPLICATION_PASSWORD in " + a.secretsFile()
                    + (a.passwordGenerated() ? " (generated now, not shown)" : " (kept, not shown)"));
            out().println("  address:     added to PGBOX_REPLICA_ADDRESSES in " + a.envFile());
            out().println("  certificate: " + a.certificate());
            out().println("next, on the replica's host: copy the password line and the certificate, then run");
            out().println("  pgbox db replica --init --primary=THIS_HOST:PORT --primary-cert server.crt");
            return 0;
        }
        if (action.init) {
            if (primary == null) {
                throw new PgboxException(ErrorKind.USAGE, "--init needs --primary=HOST:PORT", "a replica clones one primary",
                        "e.g. pgbox db replica --init --primary=127.0.0.1:5432 --primary-project ../main");
            }
            if (primaryProject != null && primaryCert != null) {
                throw new PgboxException(ErrorKind.USAGE, "give --primary-project or --primary-cert, not both",
                        "both name the certificate to verify the primary with", "--primary-project when the primary is on this machine");
            }
            Console console = console();
            Replicas.Cloned c = Replicas.init(settings(), primary, abs(primaryProject), abs(primaryCert), slot, console);
            out().println("cloned " + c.primary() + " into " + c.dataDir() + " (slot '" + c.slot() + "')");
            // the settings are read again: --init saved the replication password into .env.secrets
            StartCommand.report(StartService.start(settings(), console), console, out());
            out().println("  role:     replica (hot standby, read-only) · pgbox db replica --status");
            return 0;
        }
        if (action.status) {
            ReplicaReport r = Replicas.status(settings());
            if (json) {
                out().println(Json.render(r));
            } else {
                print(r, out());
            }
            return 0;
        }
        Optional<String> slotLeft = Replicas.promote(settings());
        out().println("promoted: this project is a primary and accepts writes");
        Console console = console();
        StartCommand.report(StartService.start(settings(), console), console, out());
        slotLeft.ifPresent(s -> out().println("  note:     the old primary keeps slot '" + s + "' and its WAL: drop it there with "
                + "SELECT pg_drop_replication_slot('" + s + "')"));
        return 0;
    }

    private static Path abs(Path p) {
        return p == null ? null : p.toAbsolutePath().normalize();
    }

    static void print(ReplicaReport r, PrintWriter o) {
        o.println("role      " + r.role() + (r.upstream() != null ? " of " + r.upstream() : ""));
        if (r.replicas().isEmpty()) {
            o.println("replicas  none (pgbox db replica --allow ADDRESS, then --init on the replica)");
            return;
        }
        for (ReplicaReport.Replica x : r.replicas()) {
            o.println("replica   " + x.name() + (x.clientAddress() != null ? " from " + x.clientAddress() : "") + " · " + x.state()
                    + (x.syncState() != null ? " · " + x.syncState() : ""));
            o.println("  lsn     sent " + dash(x.sentLsn()) + " · write " + dash(x.writeLsn()) + " · flush " + dash(x.flushLsn())
                    + " · replay " + dash(x.replayLsn()));
            o.println("  lag     " + (x.lagBytes() == null ? "-" : x.lagBytes() + " bytes") + " · "
                    + (x.lagSeconds() == null ? "-" : String.format(java.util.Locale.ROOT, "%.1fs", x.lagSeconds())));
            o.println("  slot    " + dash(x.slot()) + (x.slotActive() == null ? "" : x.slotActive() ? " (active)" : " (inactive: WAL is kept for it)"));
        }
    }

    private static String dash(String v) {
        return v == null ? "-" : v;
    }
}
