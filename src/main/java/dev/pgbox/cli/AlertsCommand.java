package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.Json;
import dev.pgbox.alerts.AlertsService;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** pgbox alerts list|silence|test: renders {@link AlertsService}'s models. */
@Command(name = "alerts", mixinStandardHelpOptions = true,
        description = {"The agent's alerts: the doctor's findings, sent when they turn bad, again after PGBOX_ALERT_REPEAT while",
                "still bad, and when they are resolved; to the log, a webhook (PGBOX_ALERT_WEBHOOK_URL) and email (PGBOX_ALERT_SMTP_*)."},
        subcommands = {AlertsCommand.ListAlerts.class, AlertsCommand.Silence.class, AlertsCommand.Test.class})
final class AlertsCommand extends BaseCommand implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    Layout layout() {
        return Server.open(settings()).layout();
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"Current alerts from the agent's state: key, severity, value, since, last sent, silenced until;",
                    "the silences in force and alerts waiting for a notifier to work again. Says when the agent is not running."})
    static final class ListAlerts extends BaseCommand implements Callable<Integer> {
        @Option(names = "--json", description = "Print as JSON.")
        boolean json;

        @Override
        public Integer call() {
            AlertsService.AlertList r = AlertsService.list(((AlertsCommand) spec.parent().userObject()).layout());
            if (json) {
                out().println(Json.render(r));
                return 0;
            }
            PrintWriter o = out();
            o.println(r.agentRunning() ? "agent running (pid " + r.agentPid() + ")" + (r.evaluatedAt() == null
                    ? ", no doctor report evaluated yet" : ", last evaluated " + r.evaluatedAt())
                    : "agent NOT running: nothing is evaluated or sent (start it with 'pgbox start'; PGBOX_AGENT=on)");
            if (settings().millis(Setting.PGBOX_DOCTOR_INTERVAL) <= 0) {
                o.println("PGBOX_DOCTOR_INTERVAL=0: the agent runs no doctor, so nothing fires (set it, e.g. 1min, then 'pgbox start')");
            }
            if (r.alerts().isEmpty()) {
                o.println("no alerts");
            } else {
                o.println(Tables.aligned(List.of("key", "severity", "value", "since", "last sent", "silenced until"),
                        r.alerts().stream().map(a -> List.of(a.key(), a.severity(), a.value(), a.since(),
                                a.lastSent() == null ? "-" : a.lastSent(), a.silencedUntil() == null ? "-" : a.silencedUntil())).toList()));
            }
            r.silences().forEach(s -> o.println("silenced: " + s.name() + " until " + s.until()));
            r.undelivered().forEach((n, c) -> o.println("waiting: " + c + " alert(s) for " + n + " (it failed; retried each evaluation)"));
            return 0;
        }
    }

    @Command(name = "silence", mixinStandardHelpOptions = true,
            description = {"Stops notifications for a check (e.g. connections) or one alert key (check/database/object, as",
                    "'pgbox alerts list' shows) for a while. Resolves of alerts already sent still go out. --for 0 or --clear lifts it."})
    static final class Silence extends BaseCommand implements Callable<Integer> {
        @Parameters(paramLabel = "CHECK", description = "A check id or a full alert key.")
        String name;

        @ArgGroup(exclusive = true, multiplicity = "1")
        How how;

        static final class How {
            @Option(names = "--for", paramLabel = "DURATION", description = "How long, e.g. 30min, 2h, 1d (at most 90d); 0 lifts it.")
            String duration;

            @Option(names = "--clear", description = "Lift the silence now.")
            boolean clear;
        }

        @Option(names = "--json", description = "Print as JSON.")
        boolean json;

        @Override
        public Integer call() {
            AlertsService.Silenced r = AlertsService.silence(((AlertsCommand) spec.parent().userObject()).layout(), name,
                    how.clear ? "0" : how.duration);
            if (json) {
                out().println(Json.render(r));
                return 0;
            }
            out().println(r.until() == null ? "silence lifted: " + r.name() : "silenced " + r.name() + " until " + r.until());
            out().println(r.matching().isEmpty() ? "no current alert matches it" + (r.until() == null ? "" : "; it holds for new ones")
                    : "current alerts it covers: " + String.join(", ", r.matching()));
            return 0;
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = {"Sends one test alert through the log and every configured notifier now and prints each result.",
                    "Exits 9 when a notifier fails, 3 when none but the log is configured or a notifier's settings are wrong."})
    static final class Test extends BaseCommand implements Callable<Integer> {
        @Option(names = "--json", description = "Print as JSON.")
        boolean json;

        @Override
        public Integer call() {
            AlertsService.TestReport r = AlertsService.test(settings(), ((AlertsCommand) spec.parent().userObject()).layout());
            if (json) {
                out().println(Json.render(r));
            } else {
                out().println(Tables.aligned(List.of("notifier", "target", "result"), r.results().stream()
                        .map(t -> List.of(t.notifier(), t.target(), t.ok() ? "ok" : "FAILED: " + t.detail())).toList()));
                r.problems().forEach(p -> out().println("not configured right: " + p));
                if (!r.configured()) {
                    out().println("no notifier configured besides the log: set PGBOX_ALERT_WEBHOOK_URL (in .env.secrets), "
                            + "or PGBOX_ALERT_SMTP_HOST with PGBOX_ALERT_EMAIL_FROM and PGBOX_ALERT_EMAIL_TO, then 'pgbox start'");
                }
            }
            if (!r.configured() || !r.problems().isEmpty()) {
                return ErrorKind.CONFIG.exitCode();
            }
            return r.ok() ? 0 : ErrorKind.TOOL_FAILED.exitCode();
        }
    }
}
