package dev.pgbox.alerts;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.pgbox.Json;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.OwnedFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * The alerts' files under the state dir, all owned by the server's OS user (the agent runs as it):
 * {@code alerts/state.json} (written only by the agent), {@code alerts/silences.json} (written by
 * 'pgbox alerts silence', read by the agent) and {@code alerts/alerts.log} (every notification).
 */
public final class AlertFiles {
    private static final ObjectReader READ = Json.REPORTS.reader().without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path dir;
    private final String owner;

    public AlertFiles(Path dir, String owner) {
        this.dir = dir;
        this.owner = owner;
    }

    public static AlertFiles of(Layout l) {
        return new AlertFiles(l.stateDir().resolve("alerts"), l.osUser());
    }

    /**
     * What the agent keeps between evaluations.
     *
     * @param evaluatedAt when the agent last evaluated a doctor report (ISO-8601), or null
     * @param alerts the bad findings it remembers, by key
     * @param outbox per notifier, what it could not deliver yet (sent again with the next evaluation)
     */
    public record State(String evaluatedAt, Map<String, AlertState> alerts, Map<String, List<Alert>> outbox) {
        public State {
            alerts = alerts == null ? Map.of() : alerts;
            outbox = outbox == null ? Map.of() : outbox;
        }

        static State empty() {
            return new State(null, Map.of(), Map.of());
        }
    }

    public Path dir() {
        return dir;
    }

    public Path stateFile() {
        return dir.resolve("state.json");
    }

    public Path silencesFile() {
        return dir.resolve("silences.json");
    }

    public Path logFile() {
        return dir.resolve("alerts.log");
    }

    /** The state; empty when there is none yet. Throws IOException on an unreadable or damaged file. */
    public State readState() throws IOException {
        Path f = stateFile();
        return Files.exists(f) ? READ.readValue(Files.readString(f, StandardCharsets.UTF_8), State.class) : State.empty();
    }

    public void writeState(State s) {
        ensureDir();
        OwnedFiles.write(stateFile(), Json.render(s) + "\n", owner, "rw-------");
    }

    /** The silences; none when there is no file. Throws IOException on an unreadable or damaged file. */
    public Silences readSilences() throws IOException {
        Path f = silencesFile();
        return Files.exists(f) ? READ.readValue(Files.readString(f, StandardCharsets.UTF_8), Silences.class) : Silences.none();
    }

    public void writeSilences(Silences s) {
        ensureDir();
        OwnedFiles.write(silencesFile(), Json.render(s) + "\n", owner, "rw-------");
    }

    /** Appends lines to the alerts log, which stays the OS user's whoever writes it. */
    public void appendLog(List<String> lines) throws IOException {
        ensureDir();
        OwnedFiles.appendable(logFile(), owner, "rw-------");
        Files.writeString(logFile(), String.join("\n", lines) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    private void ensureDir() {
        OwnedFiles.directory(dir, owner, "rwx------");
    }
}
