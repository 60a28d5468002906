package dev.pgbox.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** pgbox pool enable|disable|status: PgBouncer in front of the server. SKELETON: the pool CLI helper fills it in. */
@Command(name = "pool", mixinStandardHelpOptions = true,
        description = {"Connection pooling with PgBouncer on 127.0.0.1:PGBOUNCER_PORT (6432): a transaction pool and a session",
                "pool per app, clients authenticated with scram-sha-256 over TLS. 'pgbox app url NAME --pooled' prints the URLs."},
        subcommands = {PoolCommand.Enable.class, PoolCommand.Disable.class, PoolCommand.Status.class})
final class PoolCommand extends BaseCommand implements Runnable {

    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Turn PgBouncer on (PGBOUNCER_ENABLED=on) and start it.")
    static final class Enable extends BaseCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            out().println("not built yet");
            return 0;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Stop PgBouncer and turn it off (PGBOUNCER_ENABLED=off).")
    static final class Disable extends BaseCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            out().println("not built yet");
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "PgBouncer's pools (SHOW POOLS) and traffic (SHOW STATS).")
    static final class Status extends BaseCommand implements Callable<Integer> {
        @Option(names = "--json", description = "Print as JSON.")
        boolean json;

        @Override
        public Integer call() {
            out().println("not built yet");
            return 0;
        }
    }
}
