package dev.pgbox.sql;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL as an application role: JDBC over verified TLS, values bound as parameters. The role may run
 * its statements as another role it belongs to ({@code SET ROLE app_owner}, see {@link Jdbc.Target}).
 */
public final class RoleSql implements SqlDoor {
    private final Jdbc.Target target;

    public RoleSql(Jdbc.Target target) {
        this.target = target;
    }

    public Jdbc.Target target() {
        return target;
    }

    /** Work done on one connection, inside a transaction the door rolls back unless the work commits. */
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    @Override
    public List<List<String>> rows(String database, String sql, Object... params) {
        return withConnection(database, c -> query(c, sql, params));
    }

    @Override
    public void execute(String database, String sql, Object... params) {
        withConnection(database, c -> {
            update(c, sql, params);
            return null;
        });
    }

    /** Rows of {@code sql} ({@code $1, $2} bound to {@code params}) on a connection the caller holds. */
    public static List<List<String>> query(Connection c, String sql, Object... params) throws SQLException {
        Placeholders.Bound b = Placeholders.positional(sql, params);
        try (PreparedStatement ps = c.prepareStatement(b.sql())) {
            bind(ps, b.values());
            List<List<String>> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> row = new ArrayList<>(n);
                    for (int i = 1; i <= n; i++) {
                        row.add(rs.getString(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    /** Runs {@code sql} ({@code $1, $2} bound to {@code params}) on a connection the caller holds. */
    public static void update(Connection c, String sql, Object... params) throws SQLException {
        Placeholders.Bound b = Placeholders.positional(sql, params);
        try (PreparedStatement ps = c.prepareStatement(b.sql())) {
            bind(ps, b.values());
            ps.execute();
        }
    }

    /** A SQL text the user wrote (pgbox db query), run as it is: the role's own privileges are its limits. */
    public Jdbc.Result script(String sql) {
        try (Connection c = Jdbc.connect(target)) {
            return Jdbc.execute(c, sql);
        } catch (SQLException e) {
            throw new PgboxException(ErrorKind.SQL, "the connection failed", Jdbc.sqlCause(e), "check 'pgbox status'");
        }
    }

    /**
     * Runs {@code work} in one transaction on one connection (autocommit off); whatever it did not
     * commit is rolled back when it returns or fails.
     */
    public <T> T transaction(Work<T> work, String what) {
        try (Connection c = Jdbc.connect(target)) {
            c.setAutoCommit(false);
            try {
                return work.run(c);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new PgboxException(ErrorKind.SQL, what + " failed", Jdbc.sqlCause(e), "check 'pgbox status'");
        }
    }

    private <T> T withConnection(String database, Work<T> work) {
        Jdbc.Target t = database == null || database.equals(target.database()) ? target : target.in(database);
        try (Connection c = Jdbc.connect(t)) {
            return work.run(c);
        } catch (SQLException e) {
            throw new PgboxException(ErrorKind.SQL, "a statement as " + t + " failed", Jdbc.sqlCause(e),
                    "check the role's privileges; nothing was committed by the failed statement");
        }
    }

    private static void bind(PreparedStatement ps, List<Object> values) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            if (v instanceof java.nio.file.Path || v instanceof Character) {
                v = v.toString();
            }
            ps.setObject(i + 1, v);
        }
    }
}
