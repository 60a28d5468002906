package dev.pgbox.cli;

import dev.pgbox.cluster.Server;
import dev.pgbox.config.Settings;
import dev.pgbox.memory.ClientSessions;
import dev.pgbox.memory.Memories;
import picocli.CommandLine.Command;

/** pgbox memory: collections of texts with embeddings in an app's database, searched by meaning and by words. */
@Command(name = "memory", mixinStandardHelpOptions = true,
        description = {"AI memory: collections of texts with their embeddings (pgvector) in an app's database,",
                "searched by meaning (vector), by words (full text), both fused (hybrid) or diversified (mmr).",
                "pgbox embeds text itself with all-MiniLM-L6-v2 (384-d, in-process, no network), or stores",
                "the vectors you supply. Each collection is the table np_COLLECTION. The agent serves the same",
                "operations as an HTTP API (see 'pgbox status' for its URL)."},
        subcommands = {MemoryCollectionCommands.Create.class, MemoryCollectionCommands.ListCollections.class,
                MemoryDataCommands.Add.class, MemoryDataCommands.Import.class, MemoryDataCommands.Get.class,
                MemoryDataCommands.Delete.class, MemorySearchCommand.class, MemoryIndexCommands.Index.class,
                MemoryIndexCommands.Tune.class})
final class MemoryCommand extends BaseCommand implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    /** The memory service for the CLI: one connection per call, as the app's roles. */
    static Memories memories(Settings settings) {
        return new Memories(new ClientSessions(Server.open(settings)), settings);
    }
}
