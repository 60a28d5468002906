package dev.pgbox.cli;

import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.tune.MachineProbe;
import dev.pgbox.tune.TuningPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Explain every setting: its value, where it came from (default, .env.dev, .env.prod, .env.secrets,",
                "env, tuned), its unit and whether a change needs a restart or a reload. Secrets are masked."})
final class ConfigCommand extends BaseCommand implements Callable<Integer> {
    @Option(names = "--explain", description = "List every setting (the default action).")
    boolean explain;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Option(names = "--markdown", hidden = true, description = "Print the README's settings table.")
    boolean markdown;

    @Override
    public Integer call() {
        if (markdown) {
            out().print(markdownTable());
            return 0;
        }
        Settings s = settings();
        TuningPlan plan = MachineProbe.plan(s, s.projectDir().resolve(".pgbox"));
        List<Map<String, String>> rows = new ArrayList<>();
        for (Setting setting : Setting.values()) {
            Map<String, String> row = new LinkedHashMap<>();
            String value = s.shown(setting);
            String source = s.source(setting);
            if (value.isEmpty() && setting.guc() != null && plan.get(setting.guc()).isPresent()) {
                value = plan.value(setting.guc());
                source = "tuned";
            }
            row.put("name", setting.name());
            row.put("value", value.isEmpty() ? "(" + emptyDefault(setting) + ")" : value);
            row.put("source", source);
            row.put("unit", setting.unit());
            row.put("applies", setting.apply().label());
            row.put("description", setting.description());
            rows.add(row);
        }
        if (json) {
            out().println(Tables.json(rows));
        } else {
            List<List<String>> cells = rows.stream().map(r -> List.of(r.get("name"), r.get("value"), r.get("source"),
                    r.get("unit"), r.get("applies"))).toList();
            out().println(Tables.aligned(List.of("setting", "value", "source", "unit", "applies"), cells));
        }
        return 0;
    }

    /** What an empty value means: an empty list adds nothing; anything else is decided by pgbox. */
    static String emptyDefault(Setting s) {
        return switch (s.type()) {
            case ADDRESS_LIST, CIDR_LIST, LIBRARY_LIST -> "none";
            default -> "auto";
        };
    }

    /** The README table, generated from the catalogue so the two never disagree. */
    static String markdownTable() {
        StringBuilder sb = new StringBuilder("| Setting | Default | Unit | Applies | Description |\n|---|---|---|---|---|\n");
        for (Setting s : Setting.values()) {
            String def = s.defaultValue().isEmpty() ? emptyDefault(s) : s.defaultValue();
            sb.append("| `").append(s.name()).append("` | ").append(def).append(" | ").append(s.unit()).append(" | ")
                    .append(s.apply().label()).append(" | ").append(s.description().replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }
}
