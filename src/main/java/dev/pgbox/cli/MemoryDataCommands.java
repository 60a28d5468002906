package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.Json;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.SafeText;
import dev.pgbox.apps.AppName;
import dev.pgbox.config.Settings;
import dev.pgbox.memory.AddReport;
import dev.pgbox.memory.CollectionName;
import dev.pgbox.memory.ImportReport;
import dev.pgbox.memory.Memory;
import dev.pgbox.memory.MemoryChecks;
import dev.pgbox.memory.NewMemory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** pgbox memory add|import|get|delete. */
final class MemoryDataCommands {
    private MemoryDataCommands() {
    }

    /** --vector or --vector-file, not both. */
    static final class VectorSource {
        @Option(names = "--vector", paramLabel = "JSON_ARRAY", description = "The embedding as a JSON array of numbers, e.g. '[0.1, 0.2, 0.3]'.")
        String vector;

        @Option(names = "--vector-file", paramLabel = "FILE", description = "A file holding the embedding as a JSON array of numbers.")
        Path file;

        float[] read() {
            if (vector != null) {
                return MemoryChecks.parseVector(vector);
            }
            try {
                return MemoryChecks.parseVector(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new PgboxException(ErrorKind.USAGE, "cannot read the vector file " + file, e.toString(), "pass a readable file");
            }
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a memory (its text embedded in-process) to a collection; prints its id.",
                    "With --id an existing memory is replaced (and undeleted). Collections made with --model external need",
                    "--vector or --vector-file; with one, the text is not embedded."})
    static final class Add extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Parameters(index = "1", paramLabel = "COLLECTION")
        String collection;

        @Parameters(index = "2", paramLabel = "TEXT", description = "The text to remember; - reads it from standard input.")
        String text;

        @Option(names = "--metadata", paramLabel = "JSON", description = "A JSON object of your own fields, e.g. '{\"source\": \"chat\"}'.")
        String metadata;

        @Option(names = "--tenant", paramLabel = "T", description = "The tenant it belongs to (required in a collection made with --tenant).")
        String tenant;

        @Option(names = "--id", paramLabel = "UUID", description = "Add or replace the memory with this id (default: a new id).")
        String id;

        @ArgGroup(exclusive = true)
        VectorSource vector;

        @Option(names = "--json", description = "Print the id as JSON.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            Settings s = settings();
            AppName a = MemoryCollectionCommands.app(s, app);
            CollectionName name = new CollectionName(collection);
            String content = text.equals("-") ? stdin() : text;
            NewMemory m = new NewMemory(id, content, MemoryChecks.parseMetadata(metadata), tenant, vector == null ? null : vector.read());
            List<String> ids = MemoryCommand.memories(s).add(a, name, List.of(m));
            if (json) {
                out().println(Json.render(new AddReport(a.value(), name.value(), ids)));
            } else {
                out().println(ids.get(0));
            }
            return 0;
        }

        /** Standard input as UTF-8, without the line break(s) that end it. */
        private static String stdin() throws IOException {
            String in = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
            return in.replaceFirst("[\r\n]+$", "");
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Import memories in bulk from JSONL or CSV (resumable); progress on stderr.",
                    "JSONL: one object per line with content and optional id, metadata (object), tenant, embedding (array).",
                    "CSV: a header row naming the columns content and optional id, metadata (JSON text), tenant, embedding.",
                    "Lines are checked, embedded and copied in batches, each committed with the import's position: running",
                    "the same file again resumes after the last committed batch; ids already there are skipped."})
    static final class Import extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Parameters(index = "1", paramLabel = "COLLECTION")
        String collection;

        @Parameters(index = "2", paramLabel = "FILE")
        Path file;

        @Option(names = "--format", paramLabel = "FORMAT", description = "jsonl or csv (default: from the file's extension).")
        String format;

        @Option(names = "--json", description = "Print the report as JSON (no progress).")
        boolean json;

        @Override
        public Integer call() {
            Settings s = settings();
            AppName a = MemoryCollectionCommands.app(s, app);
            CollectionName name = new CollectionName(collection);
            Progress progress = json ? Progress.SILENT : console();
            ImportReport r = MemoryCommand.memories(s).importFile(a, name, file, format, progress);
            if (json) {
                out().println(Json.render(r));
                return 0;
            }
            if (r.resumedAtLine() != null && r.resumedAtLine() > r.lines()) {
                out().println("resumed at line " + r.resumedAtLine() + ": all " + r.lines() + " lines of " + r.file()
                        + " were imported by an earlier run; nothing to do");
                return 0;
            }
            if (r.resumedAtLine() != null) {
                out().println("resumed at line " + r.resumedAtLine() + " (the lines before it were imported by an earlier run)");
            }
            out().println(String.format(Locale.ROOT, "imported %d memories from %s into %s (%s, %d lines) in %.1f s%s", r.imported(),
                    r.file(), r.collection(), r.format(), r.lines(), r.millis() / 1000.0,
                    r.skipped() == 0 ? "" : "; " + r.skipped() + " skipped: their id was in the collection already"));
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one live memory by id.")
    static final class Get extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Parameters(index = "1", paramLabel = "COLLECTION")
        String collection;

        @Parameters(index = "2", paramLabel = "ID")
        String id;

        @Option(names = "--tenant", paramLabel = "T", description = "The tenant it belongs to (required in a collection made with --tenant).")
        String tenant;

        @Option(names = "--json", description = "Print as JSON.")
        boolean json;

        @Override
        public Integer call() {
            Settings s = settings();
            Memory m = MemoryCommand.memories(s).get(MemoryCollectionCommands.app(s, app), new CollectionName(collection), id, tenant);
            if (json) {
                out().println(Json.render(m));
                return 0;
            }
            out().println("id:       " + m.id());
            if (m.tenant() != null) {
                out().println("tenant:   " + SafeText.printable(m.tenant()));
            }
            out().println("created:  " + m.createdAt());
            out().println("updated:  " + m.updatedAt());
            out().println("metadata: " + SafeText.printable(m.metadata().toString()));
            out().println();
            out().println(SafeText.printable(m.content()));
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Delete a memory: soft by default (deleted_at is set; searches and get no longer see it, the app's",
                    "purge job removes it later), or --hard (the row is removed now, also a soft-deleted one)."})
    static final class Delete extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Parameters(index = "1", paramLabel = "COLLECTION")
        String collection;

        @Parameters(index = "2", paramLabel = "ID")
        String id;

        @Option(names = "--tenant", paramLabel = "T", description = "The tenant it belongs to (required in a collection made with --tenant).")
        String tenant;

        @Option(names = "--hard", description = "Remove the row now instead of marking it deleted.")
        boolean hard;

        @Option(names = "--json", description = "Print the deleted memory as JSON.")
        boolean json;

        @Override
        public Integer call() {
            Settings s = settings();
            Memory m = MemoryCommand.memories(s).delete(MemoryCollectionCommands.app(s, app), new CollectionName(collection), id, tenant, hard);
            if (json) {
                out().println(Json.render(m));
            } else {
                out().println((hard ? "deleted memory " : "soft-deleted memory ") + m.id()
                        + (hard ? "" : " (hidden from get and search; --hard removes the row)"));
            }
            return 0;
        }
    }
}
