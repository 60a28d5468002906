package dev.pgbox.memory;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.apps.AppName;
import dev.pgbox.config.Setting;
import dev.pgbox.memory.imports.ImportLine;
import dev.pgbox.memory.imports.ImportLog;
import dev.pgbox.memory.imports.ImportReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.postgresql.PGConnection;

/**
 * 'memory import': a JSONL or CSV file in batches. Each batch is read and checked, its texts embedded
 * in one call, then COPYed into a temporary table and inserted from there (ids already in the
 * collection are skipped, never replaced), and the import's position in pgbox.memory_imports moves in
 * the same transaction. So a bad line fails its batch with nothing of it written while earlier batches
 * stay, a killed run loses at most the batch it was writing, and running the same file (same SHA-256)
 * again resumes after the last committed batch.
 */
final class Importer {
    /** Largest batch MEMORY_IMPORT_BATCH may ask for: one batch is held in memory and embedded at once. */
    static final int MAX_BATCH = 10_000;
    private static final String TEMP = "pg_temp.pgbox_memory_import";

    private final Memories memories;

    Importer(Memories memories) {
        this.memories = memories;
    }

    /** The file's SHA-256 (hex) and its number of lines (a last line without a line break counts). */
    record Scan(String sha256, long lines) {
    }

    ImportReport run(AppName app, CollectionName name, Path file, String format, Progress progress) {
        long started = System.nanoTime();
        String fmt = ImportReader.format(format, file);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new PgboxException(ErrorKind.USAGE, "cannot read " + file, Files.exists(file) ? "it is not a readable file" : "there is no such file",
                    "pass the path of a JSONL or CSV file");
        }
        int batchSize = memories.settings().integer(Setting.MEMORY_IMPORT_BATCH);
        if (batchSize < 1 || batchSize > MAX_BATCH) {
            throw new PgboxException(ErrorKind.CONFIG, "MEMORY_IMPORT_BATCH is " + batchSize, "a batch holds 1 to " + MAX_BATCH + " lines",
                    "set MEMORY_IMPORT_BATCH=256 (the default) in .env.dev");
        }
        int maxChars = memories.settings().integer(Setting.MEMORY_MAX_CHARS);
        Scan scan = scan(file);
        String shown = file.toString();
        return memories.sessions().withConnection(app, false, c -> {
            Collection col = Registry.require(c, app, name);
            if (!ImportLog.exists(c)) {
                ensureLog(app);
            }
            try (ImportReader reader = ImportReader.open(file, fmt, shown)) {
                long done = ImportLog.start(c, col.name(), scan.sha256(), file.toAbsolutePath().toString(), scan.lines());
                Long resumedAt = done > 0 ? done + 1 : null;
                progress.step("importing " + shown + " into collection " + col.name() + " (" + fmt + ", " + scan.lines() + " lines, batches of "
                        + batchSize + ")" + (resumedAt == null ? "" : ": resumed at line " + resumedAt));
                try (Statement st = c.createStatement()) {
                    st.execute("CREATE TEMP TABLE IF NOT EXISTS " + TEMP.substring("pg_temp.".length())
                            + " (id uuid, tenant_id text, content text, metadata jsonb, embedding text) ON COMMIT DELETE ROWS");
                }
                long imported = 0;
                long skipped = 0;
                while (true) {
                    List<ImportLine> batch = new ArrayList<>(batchSize);
                    ImportLine l;
                    while (batch.size() < batchSize && (l = reader.next()) != null) {
                        if (l.line() > done) {
                            batch.add(l);
                        }
                    }
                    long position = reader.linesRead();
                    if (batch.isEmpty()) {
                        if (position > done) {
                            // only blank lines (or lines done before) were left: the file is complete
                            ImportLog.advance(c, col.name(), scan.sha256(), position, 0, 0);
                        }
                        break;
                    }
                    List<NewMemory> items = batch.stream().map(ImportLine::memory).toList();
                    List<Store.Row> rows = Store.prepare(col, items, maxChars, i -> shown + ":" + batch.get(i).line());
                    int written = write(c, col, rows, scan.sha256(), position);
                    imported += written;
                    skipped += rows.size() - written;
                    done = position;
                    progress.detail(bar(position, scan.lines(), imported, skipped, started));
                }
                try (Statement st = c.createStatement()) {
                    st.execute("DROP TABLE IF EXISTS " + TEMP);
                }
                return new ImportReport(app.value(), col.name(), shown, fmt, scan.sha256(), scan.lines(), imported, skipped, resumedAt,
                        (System.nanoTime() - started) / 1_000_000);
            } catch (IOException e) {
                throw new PgboxException(ErrorKind.USAGE, "cannot read " + shown, e.toString(), "pass a readable UTF-8 file");
            }
        });
    }

    /** One batch: COPY into the temporary table, insert tenant by tenant, move the position; one transaction. Returns rows inserted. */
    private static int write(Connection c, Collection col, List<Store.Row> rows, String sha256, long position) throws SQLException {
        try {
            MemorySql.begin(c, null);
            try {
                c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + TEMP + " (id, tenant_id, content, metadata, embedding)"
                        + " FROM STDIN (FORMAT csv)", new StringReader(csv(rows)));
            } catch (IOException e) {
                throw new SQLException("COPY failed: " + e.getMessage(), "08000", e);
            }
            Set<String> tenants = new LinkedHashSet<>();
            rows.forEach(r -> tenants.add(Objects.requireNonNullElse(r.tenant(), "")));
            int written = 0;
            for (String t : tenants) {
                // each tenant's rows under its own app.tenant_id: what the row-level security policy checks
                MemorySql.begin(c, t.isEmpty() ? null : t);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + col.table() + " (id, tenant_id, content, metadata, embedding)"
                        + " SELECT id, tenant_id, content, metadata, embedding::vector FROM " + TEMP
                        + " WHERE tenant_id IS NOT DISTINCT FROM ? ON CONFLICT (id) DO NOTHING")) {
                    ps.setString(1, t.isEmpty() ? null : t);
                    written += ps.executeUpdate();
                }
            }
            ImportLog.advance(c, col.name(), sha256, position, written, rows.size() - written);
            MemorySql.commit(c);
            return written;
        } catch (RuntimeException | SQLException e) {
            MemorySql.rollback(c);
            throw e;
        }
    }

    /** The rows as CSV for COPY: every value quoted, absent ones (NULL) as empty unquoted fields. */
    static String csv(List<Store.Row> rows) {
        StringBuilder b = new StringBuilder(rows.size() * 4096);
        for (Store.Row r : rows) {
            field(b, r.id()).append(',');
            field(b, r.tenant()).append(',');
            field(b, r.content()).append(',');
            field(b, r.metadata()).append(',');
            field(b, r.vector()).append('\n');
        }
        return b.toString();
    }

    private static StringBuilder field(StringBuilder b, String v) {
        if (v == null) {
            return b;
        }
        return b.append('"').append(v.replace("\"", "\"\"")).append('"');
    }

    /** Makes pgbox.memory_imports (as the owner, on a connection of its own) when the app's collections predate it. */
    private void ensureLog(AppName app) {
        memories.sessions().withConnection(app, true, c -> {
            try {
                MemorySql.begin(c, null);
                Registry.ensure(c, app);
                ImportLog.ensure(c, app);
                MemorySql.commit(c);
                return null;
            } catch (RuntimeException | SQLException e) {
                MemorySql.rollback(c);
                throw e;
            }
        });
    }

    static Scan scan(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            long lines = 0;
            int last = '\n';
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        lines++;
                    }
                }
                last = buf[n - 1];
            }
            return new Scan(HexFormat.of().formatHex(sha.digest()), last == '\n' ? lines : lines + 1);
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.USAGE, "cannot read " + file, e.toString(), "pass a readable file");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A progress line: a bar, the share of lines done and the rate. */
    static String bar(long done, long total, long imported, long skipped, long startedNanos) {
        double share = total == 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(share * 20);
        double secs = Math.max(1e-3, (System.nanoTime() - startedNanos) / 1e9);
        return String.format(Locale.ROOT, "[%s%s] %3.0f %%  line %d of %d, %d imported%s, %.0f memories/s", "#".repeat(filled),
                ".".repeat(20 - filled), share * 100, done, total, imported, skipped == 0 ? "" : ", " + skipped + " skipped (id there already)",
                (imported + skipped) / secs);
    }
}
