package dev.pgbox.memory;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import dev.pgbox.apps.Connections;
import dev.pgbox.cluster.Server;
import dev.pgbox.sql.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;

/** The CLI's sessions: a new TLS connection per call, as the app's login role (or running as its owner). */
public final class ClientSessions implements Sessions {
    private final Server server;

    public ClientSessions(Server server) {
        this.server = server;
    }

    @Override
    public <T> T withConnection(AppName app, boolean owner, Work<T> work) {
        Jdbc.Target target = Connections.login(server, new Connections.As(app, owner)).target();
        try (Connection c = Jdbc.connect(target)) {
            return work.run(c);
        } catch (SQLException e) {
            throw MemorySql.failure(e, "memory work in app '" + app + "'");
        }
    }
}
