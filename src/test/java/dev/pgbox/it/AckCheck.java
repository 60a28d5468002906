package dev.pgbox.it;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.BitSet;
import java.util.List;
import java.util.Properties;

/**
 * Checks one member (primary or standby) for the writer's acknowledged ids, run inside the client host:
 * prints "acked=N missing=K" (and the first missing ids) and exits 0 only when every id in the ack
 * file is in the member's table acked.
 *
 * <p>Usage: AckCheck ACK_FILE SECRETS_FILE PORT ADDRESS
 */
public final class AckCheck {
    private AckCheck() {
    }

    public static void main(String[] args) throws Exception {
        // the ack file first: every id in it was acknowledged before the table is read
        List<AckWriter.Ack> acked = AckWriter.read(Path.of(args[0]));
        String password = HaClient.appPassword(Path.of(args[1]));
        String url = HaClient.url(List.of(args[3]), Integer.parseInt(args[2]), "app");
        BitSet present = new BitSet();
        try (Connection c = HaClient.connect(url, "app", password, 60, new Properties()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM acked")) {
            while (rs.next()) {
                present.set((int) rs.getLong(1));
            }
        }
        List<Long> missing = acked.stream().map(AckWriter.Ack::id).filter(id -> !present.get(id.intValue())).toList();
        System.out.println("acked=" + acked.size() + " missing=" + missing.size() + (missing.isEmpty() ? "" : " first missing: "
                + missing.subList(0, Math.min(20, missing.size()))));
        System.exit(missing.isEmpty() ? 0 : 1);
    }
}
