package dev.pgbox.it;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

/**
 * A client that records every acknowledged write, run inside the failover test's client host: it inserts
 * sequential ids, one autocommit INSERT each, through a multi-host JDBC URL that picks the primary
 * (targetServerType=primary), and appends "id epoch-millis server-address" to the ack file only after
 * the INSERT returned, i.e. after the commit (and its synchronous standby's flush) was confirmed. On any
 * error it logs, drops the connection, and reconnects by itself; a failed id is never retried (its
 * outcome is unknown, so it is neither counted as acknowledged nor reused).
 *
 * <p>It never sets statement_timeout and never cancels a statement: PostgreSQL reports a commit whose
 * wait for the synchronous standby was cancelled as done although no standby has it. A client-side
 * socket timeout only closes the connection: that commit counts as not acknowledged.
 *
 * <p>Usage: AckWriter ACK_FILE SECRETS_FILE PORT ADDRESS[,ADDRESS...] [PAUSE_MILLIS]. The table
 * acked(id bigint primary key, at timestamptz) must exist in the database app (user app).
 */
public final class AckWriter {
    private AckWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path ackFile = Path.of(args[0]);
        String password = HaClient.appPassword(Path.of(args[1]));
        int port = Integer.parseInt(args[2]);
        String url = HaClient.url(List.of(args[3].split(",")), port, "app");
        long pause = args.length > 4 ? Long.parseLong(args[4]) : 10;
        Properties multi = new Properties();
        multi.setProperty("targetServerType", "primary");
        // forget a host's role soon: after a failover the old primary must not be tried first for long
        multi.setProperty("hostRecheckSeconds", "1");
        long id = 1;
        Connection c = null;
        try (Writer acks = Files.newBufferedWriter(ackFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            while (true) {
                try {
                    if (c == null) {
                        c = HaClient.connect(url, "app", password, 8, multi);
                        log("connected to " + server(c));
                    }
                    try (PreparedStatement st = c.prepareStatement("INSERT INTO acked (id) VALUES (?) RETURNING host(inet_server_addr())")) {
                        st.setLong(1, id);
                        try (ResultSet rs = st.executeQuery()) {
                            rs.next();
                            String server = rs.getString(1);
                            // the INSERT returned: committed (and flushed by the sync standby); only now is it acknowledged
                            acks.write(id + " " + System.currentTimeMillis() + " " + server + "\n");
                            acks.flush();
                        }
                    }
                } catch (SQLException e) {
                    log("id " + id + " not acknowledged: " + e.getSQLState() + " " + oneLine(e.getMessage()));
                    close(c);
                    c = null;
                    NetHosts.sleep(100);
                }
                id++;
                if (pause > 0) {
                    NetHosts.sleep(pause);
                }
            }
        }
    }

    private static String server(Connection c) throws SQLException {
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT host(inet_server_addr())")) {
            rs.next();
            return rs.getString(1);
        }
    }

    static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // gone already
            }
        }
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ");
    }

    private static void log(String what) {
        System.out.println(Instant.now() + " " + what);
        System.out.flush();
    }

    /** Reads an ack file: the acknowledged ids with their times and servers (a torn last line is skipped). */
    static List<Ack> read(Path ackFile) throws IOException {
        return Files.readAllLines(ackFile, StandardCharsets.UTF_8).stream().map(l -> l.strip().split(" ")).filter(w -> w.length == 3)
                .map(w -> new Ack(Long.parseLong(w[0]), Long.parseLong(w[1]), w[2])).toList();
    }

    /** One acknowledged id: when its commit returned (epoch ms) and which server acknowledged it. */
    record Ack(long id, long atMillis, String server) {
    }
}
