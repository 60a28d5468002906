package dev.pgbox.backup;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgbox.cluster.Server;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Every backup of both kinds in one list, oldest first: the physical backups pgBackRest holds and the
 * logical dump sets in the dump folder, each with the time of its last successful restore drill.
 * The model of 'pgbox db backup --list' (its --json prints {@link BackupList#backups()}).
 */
public final class BackupCatalogue {
    private final Server server;

    public BackupCatalogue(Server server) {
        this.server = server;
    }

    /**
     * One backup.
     *
     * @param kind logical or physical
     * @param id the dump set's folder, or the physical backup's label
     * @param type the dump format, or full, diff or incr
     * @param apps the databases of a dump set (comma-separated), or "all" for a physical backup
     * @param serverVersion the server's version, for a dump set
     * @param walStart the first WAL segment, for a physical backup
     * @param lastVerifiedAt when a restore drill last restored it successfully, or null
     */
    public record Entry(String kind, String id, String type, String startedAt, String finishedAt, long durationSeconds,
                        long sizeBytes, long repoBytes, String apps, String serverVersion, String walStart, String walStop,
                        String lastVerifiedAt) {
    }

    /** The backups, ordered by the time they finished. */
    public record BackupList(List<Entry> backups) {
    }

    public BackupList list() {
        return merge(new Dumps(server).list(), new PhysicalBackups(server).list(), new Drills(server).verifiedAt());
    }

    /** Dump set manifests (with their "path") and physical backups, merged and ordered; {@code verified}: id to drill time. */
    static BackupList merge(List<JsonNode> dumpSets, List<BackupSet> physical, Map<String, String> verified) {
        List<Entry> out = new ArrayList<>();
        for (JsonNode d : dumpSets) {
            List<String> names = new ArrayList<>();
            long bytes = 0;
            for (JsonNode db : d.path("databases")) {
                names.add(db.path("name").asText());
                bytes += db.path("bytes").asLong();
            }
            String id = d.path("path").asText();
            String created = d.path("created_at").asText();
            long ms = d.path("duration_ms").asLong();
            out.add(new Entry("logical", id, d.path("format").asText(), created, Instant.parse(created).plusMillis(ms).toString(),
                    ms / 1000, bytes, bytes, String.join(",", names), d.path("server_version").asText(), null, null, verified.get(id)));
        }
        for (BackupSet b : physical) {
            out.add(new Entry("physical", b.label(), b.type(), b.start().toString(), b.stop().toString(),
                    Duration.between(b.start(), b.stop()).toSeconds(), b.sizeBytes(), b.repoBytes(), "all", null, b.walStart(),
                    b.walStop(), verified.get(b.label())));
        }
        out.sort(Comparator.comparing(Entry::finishedAt));
        return new BackupList(List.copyOf(out));
    }
}
