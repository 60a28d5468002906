package dev.pgbox.memory;

import dev.pgbox.apps.AppName;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where memory work gets its connections: an app's login role over TLS (data: add, search, delete),
 * or the same login running as the app's owner role (DDL: create, index, tune). The CLI opens one
 * connection per call ({@link ClientSessions}); the agent's API borrows from a pool per app. The
 * connection is handed over in autocommit mode and must be left that way.
 */
public interface Sessions {
    /** Work on one connection. */
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    <T> T withConnection(AppName app, boolean owner, Work<T> work);
}
