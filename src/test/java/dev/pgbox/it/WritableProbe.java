package dev.pgbox.it;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Asks one member, from inside its own host (so a cut cable does not hide it), whether it takes writes:
 * every ~100 ms one autocommit INSERT into probe(member) on the member's own address. Each attempt is one
 * log line "start-millis end-millis verdict member detail": W when the commit returned (the member was
 * writable at some moment between start and end), N when it refused or failed (read-only standby,
 * shutting down, timeout), D when no connection could be made. The failover test reads these logs of all
 * members together: two members with W intervals that overlap, or a W of the old primary after the new
 * one's first W, would be two primaries at once.
 *
 * <p>Usage: WritableProbe LOG_FILE SECRETS_FILE PORT ADDRESS MEMBER. The table probe(member text, at
 * timestamptz) must exist in the database app.
 */
public final class WritableProbe {
    private WritableProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path logFile = Path.of(args[0]);
        String password = HaClient.appPassword(Path.of(args[1]));
        int port = Integer.parseInt(args[2]);
        String url = HaClient.url(List.of(args[3]), port, "app");
        String member = args[4];
        Connection c = null;
        try (Writer log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            while (true) {
                long start = System.currentTimeMillis();
                String verdict;
                String detail;
                try {
                    if (c == null) {
                        // a commit waiting for a standby that cannot answer gives up on the client side after 3 s: not acknowledged
                        c = HaClient.connect(url, "app", password, 3, new Properties());
                    }
                    try (PreparedStatement st = c.prepareStatement("INSERT INTO probe (member) VALUES (?)")) {
                        st.setString(1, member);
                        st.executeUpdate();
                    }
                    verdict = "W";
                    detail = "committed";
                } catch (SQLException e) {
                    verdict = c == null ? "D" : "N";
                    detail = e.getSQLState() + " " + AckWriter.oneLine(e.getMessage());
                    if (!"25006".equals(e.getSQLState())) { // read-only standby: the connection stays usable
                        AckWriter.close(c);
                        c = null;
                    }
                }
                long end = System.currentTimeMillis();
                log.write(start + " " + end + " " + verdict + " " + member + " " + detail + "\n");
                log.flush();
                NetHosts.sleep(Math.max(0, 100 - (end - start)));
            }
        }
    }

    /** One probe attempt. */
    record Sample(long start, long end, boolean writable, String member) {
    }

    /** Every sample in these probe logs (torn lines skipped). */
    static List<Sample> read(List<Path> logs) throws IOException {
        List<Sample> out = new ArrayList<>();
        for (Path p : logs) {
            if (!Files.exists(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                String[] w = line.split(" ", 5);
                if (w.length >= 4 && w[0].matches("\\d+") && w[1].matches("\\d+")) {
                    out.add(new Sample(Long.parseLong(w[0]), Long.parseLong(w[1]), w[2].equals("W"), w[3]));
                }
            }
        }
        return out;
    }
}
