package dev.pgbox.cli;

import dev.pgbox.cluster.Server;
import dev.pgbox.config.Size;
import dev.pgbox.tune.RamPlan;
import dev.pgbox.tune.TuningPlan;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "tune", mixinStandardHelpOptions = true,
        description = {"Show the sizing plan for this machine (RAM, CPUs, disk kind, profile, RAM share) with the reason for",
                "each value, or apply it to the running server with a reload. Explicit POSTGRES_* values always win."})
final class TuneCommand extends BaseCommand implements Callable<Integer> {
    static final class Action {
        @Option(names = "--show", description = "Print the plan (the default).")
        boolean show;

        @Option(names = "--apply", description = "Write the plan and reload; says which settings need 'pgbox restart'.")
        boolean apply;
    }

    @ArgGroup(exclusive = true)
    Action action = new Action();

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Override
    public Integer call() {
        Server server = Server.open(settings());
        TuningPlan plan = server.plan();
        if (action.apply) {
            RamPlan.require(settings(), plan, "apply the plan"); // before anything is written (PGBOX_PLAN_FORCE=on accepts it)
            List<String> pending = server.applyConfig();
            if (json) {
                out().println(Tables.json(Map.of("applied", plan.settings().size(), "restart_needed", pending)));
            } else if (pending.isEmpty()) {
                out().println("applied " + plan.settings().size() + " settings with a reload; no restart needed");
            } else {
                out().println("applied with a reload; these take effect after 'pgbox restart': " + String.join(", ", pending));
            }
            return 0;
        }
        if (json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("ram_bytes", plan.machine().ramBytes());
            r.put("cpus", plan.machine().cpus());
            r.put("ssd", plan.machine().ssd());
            r.put("profile", plan.profile().label());
            r.put("ram_share_percent", plan.sharePercent());
            r.put("budget_bytes", plan.budgetBytes());
            r.put("settings", plan.settings().stream().map(t -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", t.guc());
                m.put("value", t.value());
                m.put("applies", t.apply().label());
                m.put("source", t.source());
                m.put("reason", t.reason());
                return m;
            }).toList());
            out().println(Tables.json(r));
            return 0;
        }
        out().printf("machine: %s RAM (%s), %d CPUs, %s · profile %s · planning for %d%% = %s%n%n",
                Size.human(plan.machine().ramBytes()), plan.machine().ramSource(), plan.machine().cpus(),
                plan.machine().ssd() ? "SSD" : "HDD", plan.profile().label(), plan.sharePercent(), Size.human(plan.budgetBytes()));
        List<List<String>> rows = plan.settings().stream().map(t -> List.of(t.guc(), t.value(), t.apply().label(),
                t.source(), t.reason())).toList();
        out().println(Tables.aligned(List.of("setting", "value", "applies", "source", "reason"), rows));
        return 0;
    }

}
