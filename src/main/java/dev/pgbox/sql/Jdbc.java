package dev.pgbox.sql;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** The only JDBC helper: TLS-verified connections as an application role, and result capture. */
public final class Jdbc {
    private Jdbc() {
    }

    /** Where and how to connect; the password never leaves this record except into the driver. */
    public record Target(String host, int port, String database, String user, String password, Path rootCert, String runAs) {
        public Target {
            if (runAs != null && SqlText.nameProblem(runAs) != null) {
                // it travels in the startup options, where a space would start another option
                throw new IllegalArgumentException("not a plain role name: " + SqlText.shown(runAs));
            }
        }

        public Target(String host, int port, String database, String user, String password, Path rootCert) {
            this(host, port, database, user, password, rootCert, null);
        }

        /** The same role in another database. */
        public Target in(String otherDatabase) {
            return new Target(host, port, otherDatabase, user, password, rootCert, runAs);
        }

        /** The same login, running as {@code role} (libpq options -c role=...): an owner role for migrations. */
        public Target runningAs(String role) {
            return new Target(host, port, database, user, password, rootCert, role);
        }

        public String url() {
            String h = host.contains(":") ? "[" + host + "]" : host;
            return "jdbc:postgresql://" + h + ":" + port + "/" + database;
        }

        @Override
        public String toString() {
            return user + (runAs == null ? "" : " (as " + runAs + ")") + "@" + host + ":" + port + "/" + database;
        }
    }

    /** A result: column names and rows of text (null for SQL NULL), or an update count. */
    public record Result(List<String> columns, List<List<String>> rows, long updateCount) {
        public boolean hasRows() {
            return columns != null;
        }
    }

    public static Connection connect(Target t) {
        Properties p = new Properties();
        p.setProperty("user", t.user());
        p.setProperty("password", t.password());
        p.setProperty("sslmode", t.rootCert() != null ? "verify-full" : "require");
        if (t.rootCert() != null) {
            p.setProperty("sslrootcert", t.rootCert().toString());
        }
        p.setProperty("ApplicationName", "pgbox");
        p.setProperty("connectTimeout", "10");
        if (t.runAs() != null) {
            // a startup option, like libpq's options=-c role=...: every statement runs as that role
            p.setProperty("options", "-c role=" + t.runAs());
        }
        try {
            return DriverManager.getConnection(t.url(), p);
        } catch (SQLException e) {
            boolean refused = "08001".equals(e.getSQLState()) || "08006".equals(e.getSQLState());
            throw new PgboxException(refused ? ErrorKind.NOT_RUNNING : ErrorKind.SQL, "cannot connect as " + t,
                    sqlCause(e), refused ? "run 'pgbox start' (or 'pgbox status' to see what is wrong)"
                            : "check POSTGRES_USER and the password in .env.secrets");
        }
    }

    /** Runs one SQL text; the last result (rows or update count) is returned. */
    public static Result execute(Connection c, String sql) {
        try (Statement st = c.createStatement()) {
            boolean rows = st.execute(sql);
            Result last = null;
            while (true) {
                if (rows) {
                    try (ResultSet rs = st.getResultSet()) {
                        last = read(rs);
                    }
                } else {
                    long count = st.getLargeUpdateCount();
                    if (count == -1) {
                        break;
                    }
                    last = new Result(null, List.of(), count);
                }
                rows = st.getMoreResults();
            }
            return last == null ? new Result(null, List.of(), 0) : last;
        } catch (SQLException e) {
            throw new PgboxException(ErrorKind.SQL, "the query failed", sqlCause(e),
                    "fix the SQL and run it again; nothing was committed by the failed statement");
        }
    }

    private static Result read(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<String> cols = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            cols.add(md.getColumnLabel(i));
        }
        List<List<String>> rows = new ArrayList<>();
        while (rs.next()) {
            List<String> row = new ArrayList<>(cols.size());
            for (int i = 1; i <= cols.size(); i++) {
                row.add(rs.getString(i));
            }
            rows.add(row);
        }
        return new Result(cols, rows, -1);
    }

    /** "SQLSTATE 42P01: relation "x" does not exist" — the server's own words with the code. */
    public static String sqlCause(SQLException e) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage().strip();
        // pgjdbc appends "  Position: N" on a new line; keep it, it helps
        return "SQLSTATE " + e.getSQLState() + ": " + msg.replace("\n ", "").replace("\n", " ");
    }
}
