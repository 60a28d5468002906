package dev.pgbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The benchmark's corpus, available on any Debian machine with no network: the package descriptions
 * of {@code apt-cache dumpavail} (the one-line summary, plus the long description from apt's
 * Translation-en lists when the machine has them), deduplicated by text. Extracted once into
 * {@code corpus.jsonl} in the cache folder; later runs read that file, so every run of one machine
 * sees the same texts in the same order. {@link #shuffled()} is a fixed permutation (seed
 * {@value #SEED}): the benchmark takes its queries and rows from its front.
 */
final class BenchCorpus {
    static final long SEED = 12;
    /** Long descriptions are cut here: the model reads only its first 256 tokens anyway. */
    private static final int MAX_CHARS = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One text and the package it describes. */
    record Text(String pkg, String text) {
    }

    private final List<Text> texts;
    private final String sha;
    private final String origin;

    private BenchCorpus(List<Text> texts, String sha, String origin) {
        this.texts = texts;
        this.sha = sha;
        this.origin = origin;
    }

    List<Text> texts() {
        return texts;
    }

    /** The SHA-256 of corpus.jsonl: embeddings cached for another corpus are not reused. */
    String sha() {
        return sha;
    }

    /** Where the texts came from, for the report. */
    String origin() {
        return origin;
    }

    /** The texts in the benchmark's fixed random order. */
    List<Text> shuffled() {
        List<Text> s = new ArrayList<>(texts);
        Collections.shuffle(s, new Random(SEED));
        return s;
    }

    /** The corpus from {@code cache}/corpus.jsonl, extracted from apt first when that file is missing. */
    static BenchCorpus load(Path cache) throws IOException, InterruptedException {
        Path file = cache.resolve("corpus.jsonl");
        String origin;
        if (Files.exists(file)) {
            origin = "cached " + file;
        } else {
            Files.createDirectories(cache);
            origin = extract(file);
        }
        List<Text> texts = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                JsonNode n = JSON.readTree(line);
                texts.add(new Text(n.get("package").asText(), n.get("text").asText()));
            }
        }
        return new BenchCorpus(List.copyOf(texts), sha256(file), origin);
    }

    /** Reads apt's lists into {@code file}; returns a line saying what it found. */
    private static String extract(Path file) throws IOException, InterruptedException {
        Map<String, String> longByMd5 = longDescriptions();
        Map<String, Text> byText = new LinkedHashMap<>();
        int packages = 0;
        int withLong = 0;
        List<String> stanza = new ArrayList<>();
        for (String line : run("apt-cache", "dumpavail")) {
            if (!line.isEmpty()) {
                stanza.add(line);
                continue;
            }
            if (!stanza.isEmpty()) {
                packages++;
                Text t = fromStanza(stanza, longByMd5);
                if (t != null) {
                    withLong += t.text().contains("\n") ? 1 : 0;
                    byText.putIfAbsent(t.text(), t);
                }
                stanza.clear();
            }
        }
        if (!stanza.isEmpty()) {
            packages++;
            Text t = fromStanza(stanza, longByMd5);
            if (t != null) {
                byText.putIfAbsent(t.text(), t);
            }
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (Text t : byText.values()) {
                ObjectNode n = JSON.createObjectNode();
                n.put("package", t.pkg());
                n.put("text", t.text());
                w.write(JSON.writeValueAsString(n));
                w.write('\n');
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return "extracted from apt-cache dumpavail: " + packages + " package stanzas, " + byText.size() + " distinct texts, "
                + (longByMd5.isEmpty() ? "no Translation-en list on this machine (one-line summaries only)"
                : withLong + " with a long description from Translation-en");
    }

    private static Text fromStanza(List<String> stanza, Map<String, String> longByMd5) {
        String pkg = null;
        String summary = null;
        String md5 = null;
        for (String l : stanza) {
            if (l.startsWith("Package: ")) {
                pkg = l.substring(9).strip();
            } else if (l.startsWith("Description: ") || l.startsWith("Description-en: ")) {
                summary = l.substring(l.indexOf(':') + 1).strip();
            } else if (l.startsWith("Description-md5: ")) {
                md5 = l.substring(17).strip();
            }
        }
        if (pkg == null || summary == null || summary.isEmpty()) {
            return null;
        }
        String more = md5 == null ? null : longByMd5.get(md5);
        String text = more == null ? summary : summary + "\n" + more;
        return new Text(pkg, text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) : text);
    }

    /** Description-md5 to the long description, from every Translation-en list apt has (none on many machines). */
    private static Map<String, String> longDescriptions() throws IOException, InterruptedException {
        Map<String, String> out = new HashMap<>();
        Path lists = Path.of("/var/lib/apt/lists");
        if (!Files.isDirectory(lists)) {
            return out;
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(lists, "*_i18n_Translation-en*")) {
            ds.forEach(files::add);
        }
        for (Path f : files) {
            String md5 = null;
            StringBuilder body = null;
            // apt-helper cat-file undoes whichever compression apt stored the list with
            for (String line : run("/usr/lib/apt/apt-helper", "cat-file", f.toString())) {
                if (line.startsWith("Description-md5: ")) {
                    md5 = line.substring(17).strip();
                } else if (line.startsWith("Description-en: ")) {
                    body = new StringBuilder();
                } else if (line.startsWith(" ") && body != null) {
                    String l = line.strip();
                    body.append(l.equals(".") ? "\n" : (body.length() == 0 || body.charAt(body.length() - 1) == '\n' ? "" : " ") + l);
                } else if (line.isEmpty()) {
                    if (md5 != null && body != null && body.length() > 0) {
                        out.putIfAbsent(md5, body.toString().strip());
                    }
                    md5 = null;
                    body = null;
                }
            }
            if (md5 != null && body != null && body.length() > 0) {
                out.putIfAbsent(md5, body.toString().strip());
            }
        }
        return out;
    }

    private static List<String> run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lines.add(line);
            }
        }
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IOException(String.join(" ", argv) + " exited " + rc);
        }
        return lines;
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
