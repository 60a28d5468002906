package dev.pgbox.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * This HA member's view of Patroni's REST API for the calls that change the cluster (pause, resume,
 * reinitialise a member) and the reads around them. The changing calls log in as
 * {@code pgbox} with PATRONI_RESTAPI_PASSWORD (never in argv or logs); the address and this
 * member's name come from the rendered patroni.yml. Here, below the backup package, because backups
 * and restores need it (the ha package's own REST helper sits above backup in the package map).
 */
public final class PatroniRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The user of Patroni's changing REST calls (PatroniComponent.RESTAPI_USER; the component is above this package). */
    static final String USER = "pgbox";

    private final String base;
    private final String me;
    private final String password;

    private PatroniRest(String base, String me, String password) {
        this.base = base;
        this.me = me;
        this.password = password;
    }

    /** The API of this project's member (its patroni.yml must exist: 'pgbox ha init' wrote it). */
    public static PatroniRest local(Settings s, Layout l) {
        return new PatroniRest("http://" + PatroniSupervisor.restAddress(l), PatroniSupervisor.memberName(l), s.get(Setting.PATRONI_RESTAPI_PASSWORD));
    }

    /** This member's name. */
    public String me() {
        return me;
    }

    /** One member as GET /cluster lists it; {@code api} is its REST API's base URL (without /patroni). */
    public record Member(String name, String role, String state, String host, Integer port, Integer timeline, String api) {
        public boolean leader() {
            return role.equals("leader") || role.equals("standby_leader");
        }
    }

    /** The cluster as this member's Patroni sees it: the members and whether Patroni is paused. */
    public record Cluster(List<Member> members, boolean paused) {
        /** The leader, or null when no member holds the leader lock. */
        public Member leader() {
            return members.stream().filter(Member::leader).findFirst().orElse(null);
        }

        public Member member(String name) {
            return members.stream().filter(m -> m.name().equals(name)).findFirst().orElse(null);
        }
    }

    /** GET /cluster on this member; throws when Patroni does not answer. */
    public Cluster cluster() {
        HttpCall.Answer a = send("GET", base + "/cluster", null);
        if (a.status() != 200) {
            throw new PgboxException(ErrorKind.NOT_RUNNING, "Patroni's REST API at " + base + " does not answer",
                    a.status() == 0 ? "no answer" : "it answered " + a.status(), "start this member ('pgbox start'); 'pgbox ha status' shows the cluster");
        }
        return parseCluster(a.body());
    }

    /** A /cluster answer as a {@link Cluster}. Pure. */
    static Cluster parseCluster(String body) {
        try {
            JsonNode root = JSON.readTree(body);
            List<Member> members = new ArrayList<>();
            for (JsonNode m : root.path("members")) {
                String api = m.path("api_url").asText("");
                members.add(new Member(m.path("name").asText(), m.path("role").asText("unknown"), m.path("state").asText("unknown"),
                        m.path("host").asText(null), m.path("port").isInt() ? m.path("port").asInt() : null,
                        m.path("timeline").isNumber() ? m.path("timeline").asInt() : null,
                        api.endsWith("/patroni") ? api.substring(0, api.length() - "/patroni".length()) : api));
            }
            return new Cluster(members, root.path("pause").asBoolean(false));
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.TOOL_FAILED, "Patroni's /cluster answer is not JSON", e.getMessage(),
                    "check that PATRONI_REST_PORT is this member's Patroni REST API");
        }
    }

    /**
     * One timeline switch of the cluster's history (GET /history): {@code timeline} ended at {@code lsn}
     * and the next one began at {@code at} (null when Patroni did not see it happen, e.g. before 'ha init').
     */
    public record TimelineSwitch(int timeline, long lsn, Instant at) {
    }

    /** GET /history on this member: the switches that lead to the current timeline, oldest first. */
    public List<TimelineSwitch> history() {
        HttpCall.Answer a = send("GET", base + "/history", null);
        if (a.status() != 200) {
            throw new PgboxException(ErrorKind.NOT_RUNNING, "Patroni's REST API at " + base + " does not give the cluster's history",
                    a.status() == 0 ? "no answer" : "GET /history answered " + a.status(), "start this member ('pgbox start')");
        }
        return parseHistory(a.body());
    }

    /** A /history answer: [[timeline, lsn, reason, timestamp?, leader?], ...]. Pure. */
    static List<TimelineSwitch> parseHistory(String body) {
        try {
            List<TimelineSwitch> out = new ArrayList<>();
            for (JsonNode line : JSON.readTree(body)) {
                Instant at = null;
                if (line.size() >= 4 && line.get(3).isTextual()) {
                    try {
                        at = OffsetDateTime.parse(line.get(3).asText()).toInstant();
                    } catch (DateTimeParseException e) {
                        at = null; // a switch of unknown time: treated as long past
                    }
                }
                out.add(new TimelineSwitch(line.get(0).asInt(), line.get(1).asLong(), at));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            throw new PgboxException(ErrorKind.TOOL_FAILED, "Patroni's /history answer is not what pgbox reads", String.valueOf(e.getMessage()),
                    "check that PATRONI_REST_PORT is this member's Patroni REST API");
        }
    }

    /** Whether the Patroni at {@code api} runs with the cluster paused (GET /patroni says "pause": true); null when it does not answer. */
    public Boolean pausedAt(String api) {
        HttpCall.Answer a = send("GET", api + "/patroni", null);
        if (a.status() == 0 || a.body().isEmpty()) {
            return null;
        }
        try {
            return JSON.readTree(a.body()).path("pause").asBoolean(false);
        } catch (IOException e) {
            return null;
        }
    }

    /** PATCH /config {"pause": paused}: Patroni stops (or resumes) managing PostgreSQL on every member. */
    public void pause(boolean paused) {
        HttpCall.Answer a = send("PATCH", base + "/config", "{\"pause\":" + paused + "}");
        if (a.status() != 200) {
            throw new PgboxException(ErrorKind.TOOL_FAILED, "Patroni did not " + (paused ? "pause" : "resume") + " the cluster",
                    a.status() == 0 ? "no answer from " + base : "PATCH /config answered " + a.status() + ": " + a.body().strip(),
                    "check PATRONI_RESTAPI_PASSWORD and Patroni's log; 'patronictl " + (paused ? "pause" : "resume") + "' does the same");
        }
    }

    /**
     * POST /reinitialize {"force": true} to the member at {@code api}: Patroni there wipes its data dir and
     * clones it from the leader. Returns null when started, else Patroni's reason.
     */
    public String reinitialize(String api) {
        HttpCall.Answer a = send("POST", api + "/reinitialize", "{\"force\":true}");
        return a.status() == 200 ? null : a.status() == 0 ? "no answer from " + api : a.body().strip();
    }

    private HttpCall.Answer send(String method, String url, String body) {
        // reads without credentials; the changing calls log in
        return HttpCall.send(method, url, body, method.equals("GET") ? null : USER, password, Duration.ofSeconds(10));
    }
}
