package dev.pgbox.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One physical backup in the pgBackRest repository, as 'pgbackrest info --output=json' reports it.
 *
 * @param sizeBytes database size at backup time
 * @param repoBytes what the backup occupies in the repository (compressed, only its own files)
 */
public record BackupSet(String label, String type, Instant start, Instant stop, long sizeBytes, long repoBytes,
                        String walStart, String walStop) {

    /** Parses pgBackRest's info JSON for one stanza; an absent or empty stanza gives no backups. */
    public static List<BackupSet> parse(String json, String stanza) {
        List<BackupSet> out = new ArrayList<>();
        try {
            JsonNode root = new ObjectMapper().readTree(json);
            for (JsonNode st : root) {
                if (!stanza.equals(st.path("name").asText())) {
                    continue;
                }
                for (JsonNode b : st.path("backup")) {
                    out.add(new BackupSet(b.path("label").asText(), b.path("type").asText(),
                            Instant.ofEpochSecond(b.path("timestamp").path("start").asLong()),
                            Instant.ofEpochSecond(b.path("timestamp").path("stop").asLong()),
                            b.path("info").path("size").asLong(), b.path("info").path("repository").path("delta").asLong(),
                            b.path("archive").path("start").asText(""), b.path("archive").path("stop").asText("")));
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("pgbackrest info printed something that is not JSON: " + e.getMessage(), e);
        }
        return out;
    }

    /** The status code pgBackRest gives the stanza (0 ok, 1 missing stanza path, 2 no valid backups, ...), or -1. */
    public static int stanzaStatus(String json, String stanza) {
        try {
            for (JsonNode st : new ObjectMapper().readTree(json)) {
                if (stanza.equals(st.path("name").asText())) {
                    return st.path("status").path("code").asInt(-1);
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }
}
