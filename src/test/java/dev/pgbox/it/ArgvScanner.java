package dev.pgbox.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Reads every process's argv from /proc, over and over, until {@link #close()}: the command lines
 * any user could see with ps while pgbox ran. Secrets generated during the run are checked
 * afterwards with {@link #leaks}.
 */
final class ArgvScanner extends Thread implements AutoCloseable {
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private volatile boolean stop;

    ArgvScanner() {
        setDaemon(true);
        start();
    }

    @Override
    public void run() {
        while (!stop) {
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                    try {
                        String argv = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ').strip();
                        if (!argv.isEmpty() && seen.size() < 200_000) {
                            seen.add(argv);
                        }
                    } catch (IOException e) {
                        // the process ended meanwhile
                    }
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Whether any command line seen contained {@code text} (to prove the scan saw the tools run). */
    boolean saw(String text) {
        return seen.stream().anyMatch(a -> a.contains(text));
    }

    /** The command lines that held any of the secrets. */
    List<String> leaks(Collection<String> secrets) {
        return seen.stream().filter(a -> secrets.stream().anyMatch(a::contains)).toList();
    }

    @Override
    public void close() {
        stop = true;
        try {
            join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
