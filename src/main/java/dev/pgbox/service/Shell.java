package dev.pgbox.service;

import dev.pgbox.apps.AppUrls;
import dev.pgbox.cluster.Server;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessRunner;

/**
 * 'pgbox db shell': psql on the terminal, connected over verified TLS as the chosen role. Everything
 * about the connection goes to psql through its environment (PGPASSWORD, PGOPTIONS for the owner
 * role), never its argv, where any user could read it with ps.
 */
public final class Shell {
    private Shell() {
    }

    /** Opens psql for {@code as} and waits for it; returns psql's exit code. */
    public static int open(Server server, Connections.As as) {
        Connections.Login login = Connections.login(server, as);
        return ProcessRunner.runInteractive(psql(server, login));
    }

    static Command psql(Server server, Connections.Login login) {
        AppUrls u = login.urls();
        Command.Builder b = Command.of(server.instance().pg().bin("psql"), "-X")
                .env("PGHOST", u.host()).env("PGPORT", Integer.toString(u.port())).env("PGDATABASE", u.database())
                .env("PGUSER", u.user()).env("PGPASSWORD", login.password()).env("PGSSLMODE", "verify-full")
                .env("PGSSLROOTCERT", u.cert().toString()).env("PGAPPNAME", "pgbox shell");
        if (u.options() != null) {
            b.env("PGOPTIONS", u.options());
        }
        return b.build();
    }
}
