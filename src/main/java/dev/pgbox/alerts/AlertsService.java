package dev.pgbox.alerts;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.cluster.Layout;
import dev.pgbox.component.AgentProcess;
import dev.pgbox.config.Durations;
import dev.pgbox.config.Settings;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/** What 'pgbox alerts list|silence|test' do: read the agent's alert state, write silences, send a test alert. */
public final class AlertsService {
    /** The longest silence: a forgotten one must end some day. */
    static final long MAX_SILENCE_MILLIS = 90L * 86_400_000;
    /** A check id (connections) or a full key (check/database/object); no spaces or control characters. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}(/[^\\s\\p{Cntrl}]{1,400})?");

    private AlertsService() {
    }

    /** One alert as 'pgbox alerts list' shows it. */
    public record Row(String key, String check, String severity, String value, String since, String lastSent,
                      String silencedUntil) {
    }

    /** One silence. */
    public record SilenceRow(String name, String until) {
    }

    /**
     * 'pgbox alerts list': the agent's alert state.
     *
     * @param agentRunning whether the agent (which evaluates alerts) runs
     * @param agentPid its PID, or null
     * @param evaluatedAt when it last evaluated a doctor report, or null
     * @param stateFile the state file read
     * @param alerts the current alerts (warn or critical findings), worst first
     * @param silences the silences in force
     * @param undelivered per notifier, alerts waiting for a retry
     */
    public record AlertList(boolean agentRunning, Long agentPid, String evaluatedAt, String stateFile, List<Row> alerts,
                            List<SilenceRow> silences, Map<String, Integer> undelivered) {
    }

    public static AlertList list(Layout l) {
        AlertFiles files = AlertFiles.of(l);
        AlertFiles.State state;
        Silences silences;
        try {
            state = files.readState();
            silences = files.readSilences();
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot read the alert state in " + files.dir(), e.getMessage(),
                    "check the files' owner and mode (they are the server's OS user's)", e);
        }
        Instant now = Instant.now();
        List<Row> rows = state.alerts().values().stream()
                .sorted(java.util.Comparator.comparing((AlertState a) -> !a.severity().equals("critical")).thenComparing(AlertState::key))
                .map(s -> {
                    Instant until = silences.silencedUntil(s.key(), s.check(), now);
                    return new Row(s.key(), s.check(), s.severity(), s.value(), s.since(), s.lastSent(),
                            until == null ? null : until.toString());
                }).toList();
        List<SilenceRow> active = silences.until().entrySet().stream().filter(e -> Instant.parse(e.getValue()).isAfter(now))
                .map(e -> new SilenceRow(e.getKey(), e.getValue())).sorted((a, b) -> a.name().compareTo(b.name())).toList();
        Map<String, Integer> undelivered = new java.util.TreeMap<>();
        state.outbox().forEach((k, v) -> undelivered.put(k, v.size()));
        OptionalLong pid = AgentProcess.running(l);
        return new AlertList(pid.isPresent(), pid.isPresent() ? pid.getAsLong() : null, state.evaluatedAt(),
                files.stateFile().toString(), rows, active, undelivered);
    }

    /**
     * 'pgbox alerts silence': the silence written.
     *
     * @param name the check id or key silenced
     * @param until when it ends (ISO-8601), or null when it was lifted
     * @param matching the current alerts it covers
     */
    public record Silenced(String name, String until, List<String> matching) {
    }

    /** Silences {@code name} for {@code duration} (config/Durations form); "0" lifts the silence. */
    public static Silenced silence(Layout l, String name, String duration) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new PgboxException(ErrorKind.USAGE, "'" + (name == null ? "" : name.replaceAll("\\p{Cntrl}", "?"))
                    + "' is not a check or an alert key", "a check id is lowercase letters, digits and _ (e.g. connections); a key is "
                    + "check/database/object as 'pgbox alerts list' shows it", "pgbox alerts silence connections --for 2h");
        }
        Long millis = Durations.parseMillis(duration);
        if (millis == null || millis < 0 || millis > MAX_SILENCE_MILLIS) {
            throw new PgboxException(ErrorKind.USAGE, "'" + duration.replaceAll("\\p{Cntrl}", "?") + "' is not a silence duration",
                    "--for takes a whole number with a unit (ms, s, min, h or d) up to 90d, or 0 to lift the silence",
                    "pgbox alerts silence " + name + " --for 2h");
        }
        AlertFiles files = AlertFiles.of(l);
        Instant now = Instant.now();
        Silences current;
        AlertFiles.State state;
        try {
            current = files.readSilences();
            state = files.readState();
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot read the alert files in " + files.dir(), e.getMessage(),
                    "check the files' owner and mode (they are the server's OS user's)", e);
        }
        Instant end = millis == 0 ? null : now.plusMillis(millis);
        files.writeSilences(current.with(name, end, now));
        List<String> matching = new ArrayList<>();
        for (AlertState s : state.alerts().values()) {
            if (s.key().equals(name) || s.check().equals(name)) {
                matching.add(s.key());
            }
        }
        return new Silenced(name, end == null ? null : end.toString(), matching);
    }

    /** One notifier's test result. */
    public record TestResult(String notifier, String target, boolean ok, String detail) {
    }

    /**
     * 'pgbox alerts test'.
     *
     * @param configured whether a webhook or email is configured (the log always is)
     * @param ok whether every notifier delivered the test alert
     * @param results each notifier's result, the log's first
     * @param problems configuration problems that kept a notifier from being used
     */
    public record TestReport(boolean configured, boolean ok, List<TestResult> results, List<String> problems) {
    }

    /** Sends one test alert through the log and every configured notifier, now. */
    public static TestReport test(Settings s, Layout l) {
        Notifiers.Configured configured = Notifiers.of(s);
        List<String> problems = configured.problems().stream().map(p -> p.what() + ": " + p.reason() + " (" + p.fix() + ")").toList();
        Instant now = Instant.now();
        Alert alert = new Alert(Alert.TEST, "test", "test", "warn", null, null,
                "a test alert from 'pgbox alerts test': this notifier works", null, null, null, now.toString(), now.toString());
        Message m = new Message(AlertEngine.source(s.projectDir()), List.of(alert));
        List<Notifier> all = new ArrayList<>();
        List<TestResult> results = new ArrayList<>();
        AlertFiles files = AlertFiles.of(l);
        if (java.nio.file.Files.isDirectory(l.stateDir())) {
            all.add(new LogNotifier(files, line -> { }));
        } else {
            // never create the state folder here: 'pgbox start' makes it with its owner and mode
            results.add(new TestResult("log", files.logFile().toString(), true, "not written: no state folder yet ('pgbox start' makes it)"));
        }
        all.addAll(configured.notifiers());
        for (Notifier n : all) {
            try {
                n.send(m);
                results.add(new TestResult(n.name(), n.target(), true, "sent"));
            } catch (Notifier.NotifyException e) {
                results.add(new TestResult(n.name(), n.target(), false, e.getMessage()));
            } catch (RuntimeException e) {
                results.add(new TestResult(n.name(), n.target(), false, e.getClass().getSimpleName()));
            }
        }
        boolean any = !configured.notifiers().isEmpty() || !problems.isEmpty();
        return new TestReport(any, problems.isEmpty() && results.stream().allMatch(TestResult::ok), results, problems);
    }
}
