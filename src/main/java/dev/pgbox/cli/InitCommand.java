package dev.pgbox.cli;

import dev.pgbox.config.ProjectInit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Start a project: write .env.dev (every setting, commented out with its default and one line of help),",
                ".env.prod (the settings that usually differ in production) and the .gitignore lines for .env.secrets and",
                ".pgbox/. Never overwrites a file that exists. Needs neither root nor PostgreSQL."})
final class InitCommand extends BaseCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print what was written or kept as JSON.")
    boolean json;

    @Override
    public Integer call() {
        // the project's own .env files are not read: init must work beside a broken one, and writes only new files
        List<ProjectInit.FileResult> results = ProjectInit.run(root().projectDir());
        if (json) {
            List<Map<String, String>> files = results.stream().map(r -> {
                Map<String, String> row = new LinkedHashMap<>();
                row.put("path", r.path().toString());
                row.put("action", r.action().label());
                return row;
            }).toList();
            out().println(Tables.json(Map.of("files", files)));
            return 0;
        }
        for (ProjectInit.FileResult r : results) {
            out().println(r.action().label() + " " + r.path() + (r.note().isEmpty() ? "" : " (" + r.note() + ")"));
        }
        out().println("next: edit .env.dev (uncomment what you change), then run 'pgbox start'");
        return 0;
    }
}
