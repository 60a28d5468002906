package dev.pgbox.install;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads the machine's apt sources to find the Debian archive mirror it already uses, so the
 * deb-src line for pgvector points at the same mirror (or proxy) as everything else.
 */
public final class AptSources {
    public static final Path SOURCES_DIR = Path.of("/etc/apt/sources.list.d");
    public static final Path PGBOX_SOURCE = SOURCES_DIR.resolve("pgbox-trixie-src.sources");
    public static final String KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";

    private AptSources() {
    }

    /** The main Debian archive URI (not -security), from one-line or deb822 sources. */
    public static Optional<String> debianMirror() {
        List<String> texts = new ArrayList<>();
        read(Path.of("/etc/apt/sources.list")).ifPresent(texts::add);
        if (Files.isDirectory(SOURCES_DIR)) {
            try (Stream<Path> files = Files.list(SOURCES_DIR)) {
                files.filter(p -> !p.equals(PGBOX_SOURCE))
                        .filter(p -> p.toString().endsWith(".list") || p.toString().endsWith(".sources"))
                        .sorted().forEach(p -> read(p).ifPresent(texts::add));
            } catch (IOException e) {
                // no extra sources
            }
        }
        for (String text : texts) {
            Optional<String> uri = mirrorIn(text);
            if (uri.isPresent()) {
                return uri;
            }
        }
        return Optional.empty();
    }

    /** The first URI in a sources text that ends with /debian (Debian's main archive layout). */
    static Optional<String> mirrorIn(String text) {
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("#")) {
                continue;
            }
            for (String word : line.replaceFirst("^URIs:", "").split("\\s+")) {
                String w = word.replaceAll("/+$", "");
                if (w.matches("https?://\\S+") && w.endsWith("/debian")) {
                    return Optional.of(w);
                }
            }
        }
        return Optional.empty();
    }

    /** The deb822 stanza pgbox adds: source packages only, from Debian's trixie suite. */
    public static String trixieSourceStanza(String mirror) {
        return "# Added by pgbox: source packages from Debian trixie, used to build pgvector and to unpack Patroni.\n"
                + "# Only deb-src: no binary package from trixie is ever installed.\n"
                + "Types: deb-src\n"
                + "URIs: " + mirror + "\n"
                + "Suites: trixie\n"
                + "Components: main\n"
                + "Signed-By: " + KEYRING + "\n";
    }

    private static Optional<String> read(Path p) {
        try {
            return Files.isRegularFile(p) ? Optional.of(Files.readString(p)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
