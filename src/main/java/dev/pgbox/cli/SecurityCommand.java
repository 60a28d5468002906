package dev.pgbox.cli;

import dev.pgbox.cluster.Server;
import dev.pgbox.security.SecurityAudit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** pgbox security audit: renders {@link SecurityAudit}'s report. */
@Command(name = "security", mixinStandardHelpOptions = true, description = "Security checks of the whole server.",
        subcommands = {SecurityCommand.Audit.class})
final class SecurityCommand extends BaseCommand implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "audit", mixinStandardHelpOptions = true,
            description = {"Findings with severity and fix: listen addresses, trust/md5/password pg_hba lines, superuser,",
                    "CREATEROLE or BYPASSRLS app roles, PUBLIC privileges on app databases and schemas, the secrets file's",
                    "mode, TLS, password hashing, roles without passwords, extensions in writable schemas. Exits 11 on high."})
    static final class Audit extends BaseCommand implements Callable<Integer> {
        @Option(names = "--json", description = "Print as JSON.")
        boolean json;

        @Override
        public Integer call() {
            return Findings.print(SecurityAudit.audit(Server.open(settings())), json, out());
        }
    }
}
