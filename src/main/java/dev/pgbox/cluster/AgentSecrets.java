package dev.pgbox.cluster;

import dev.pgbox.PgboxException;
import dev.pgbox.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The app passwords in the agent's settings snapshot (agent.env, which 'pgbox start' writes whole:
 * component.AgentProcess). The HTTP API connects as each app's login role; 'pgbox app create' and
 * 'app rotate-password' set the app's line here, and the running agent reads the file again when it
 * meets an app it has no password for or a password the server refuses, so a new app works over the
 * API at once. The app lines come last, sorted, as the whole snapshot writes them.
 */
public final class AgentSecrets {
    private AgentSecrets() {
    }

    /**
     * Sets one app password in the snapshot if there is one. Only that line changes: the rest stays
     * what 'pgbox start' wrote, so start still sees whether the agent runs with the current settings.
     * Never fails the caller: without the file (or access to it) 'pgbox start' writes it whole.
     */
    public static void put(Layout l, String variable, String value) {
        Path file = l.agentSettings();
        if (!Files.exists(file)) {
            return; // no agent (PGBOX_AGENT=off, or never started)
        }
        try {
            List<String> settings = new ArrayList<>();
            Map<String, String> apps = new TreeMap<>();
            for (String line : OwnedFiles.read(file).lines().toList()) {
                int eq = line.indexOf('=');
                String name = eq < 0 ? "" : line.substring(0, eq);
                if (Settings.APP_SECRET.matcher(name).matches()) {
                    apps.put(name, line.substring(eq + 1));
                } else {
                    settings.add(line);
                }
            }
            apps.put(variable, quote(value));
            StringBuilder b = new StringBuilder();
            settings.forEach(line -> b.append(line).append('\n'));
            apps.forEach((name, quoted) -> b.append(name).append('=').append(quoted).append('\n'));
            OwnedFiles.write(file, b.toString(), l.osUser(), "rw-------");
        } catch (PgboxException e) {
            // run by a user who cannot read or write it: 'pgbox start' writes it whole
        }
    }

    /** A dotenv value: single quotes keep everything but a single quote literal. */
    public static String quote(String v) {
        if (v.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a setting with a line break");
        }
        return v.indexOf('\'') < 0 ? "'" + v + "'" : "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
