package dev.pgbox.memory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.apps.AppName;
import dev.pgbox.config.Setting;
import dev.pgbox.memory.embed.Embedders;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * Adding, reading, deleting and importing memories. Every memory is checked (and its text embedded)
 * before anything is written; a call's memories are then written in one transaction, so a call adds
 * all of them or none. Memories of several tenants in one call are written tenant by tenant inside that
 * transaction, each under its own app.tenant_id (what the row-level security policy of a collection
 * with tenancy checks).
 */
final class Store {
    /** The columns of a memory as {@link #memory(ResultSet)} reads them. */
    static final String COLUMNS = "id::text, content, metadata::text, tenant_id, " + utc("created_at") + ", " + utc("updated_at") + ", "
            + utc("deleted_at");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Memories memories;

    Store(Memories memories) {
        this.memories = memories;
    }

    /** A checked memory, ready for SQL: canonical id, tenant, text, metadata JSON and the vector's literal. */
    record Row(String id, String tenant, String content, String metadata, String vector) {
    }

    List<String> add(AppName app, CollectionName name, List<NewMemory> items) {
        if (items == null || items.isEmpty()) {
            throw new PgboxException(ErrorKind.USAGE, "no memories to add", "the call holds none", "pass at least one text");
        }
        int maxChars = memories.settings().integer(Setting.MEMORY_MAX_CHARS);
        // one connection for the lookup and the write (the CLI pays for each new one); embedding a call's texts takes milliseconds
        return memories.sessions().withConnection(app, false, c -> {
            Collection col = Registry.require(c, app, name);
            List<Row> rows = prepare(col, items, maxChars, items.size() == 1 ? i -> null : i -> "memory " + (i + 1));
            try {
                insert(c, col, rows, true);
                MemorySql.commit(c);
            } catch (SQLException e) {
                MemorySql.rollback(c);
                throw otherTenant(e, col);
            } catch (RuntimeException e) {
                MemorySql.rollback(c);
                throw e;
            }
            return rows.stream().map(Row::id).toList();
        });
    }

    Memory get(AppName app, CollectionName name, String id, String tenant) {
        return byId(app, name, id, tenant, table -> "SELECT " + COLUMNS + " FROM " + table
                + " WHERE id = ?::uuid AND deleted_at IS NULL AND (?::text IS NULL OR tenant_id = ?)");
    }

    Memory delete(AppName app, CollectionName name, String id, String tenant, boolean hard) {
        // a soft delete marks a live memory; a hard one removes it, live or soft-deleted (a purge)
        return byId(app, name, id, tenant, table -> hard
                ? "DELETE FROM " + table + " WHERE id = ?::uuid AND (?::text IS NULL OR tenant_id = ?) RETURNING " + COLUMNS
                : "UPDATE " + table + " SET deleted_at = now() WHERE id = ?::uuid AND deleted_at IS NULL"
                        + " AND (?::text IS NULL OR tenant_id = ?) RETURNING " + COLUMNS);
    }

    /**
     * One statement on one memory, in a transaction scoped to the tenant: {@code sql} (given the table)
     * takes the id, then the tenant twice, and returns the memory's COLUMNS; NOT_FOUND when no row comes back.
     */
    private Memory byId(AppName app, CollectionName name, String id, String tenant, java.util.function.Function<String, String> sql) {
        String uuid = MemoryChecks.id(id);
        String t = MemoryChecks.tenant(tenant);
        return memories.sessions().withConnection(app, false, c -> {
            Collection col = Registry.require(c, app, name);
            try {
                MemorySql.begin(c, t);
                Memory m;
                try (PreparedStatement ps = c.prepareStatement(sql.apply(col.table()))) {
                    ps.setString(1, uuid);
                    ps.setString(2, t);
                    ps.setString(3, t);
                    m = one(ps);
                }
                MemorySql.commit(c);
                return found(m, col, uuid, t);
            } catch (RuntimeException | SQLException e) {
                MemorySql.rollback(c);
                throw e;
            }
        });
    }

    ImportReport importFile(AppName app, CollectionName name, Path file, String format, Progress progress) {
        return new Importer(memories).run(app, name, file, format, progress);
    }

    /**
     * Checks every memory and embeds the texts that come without a vector (one batch call), before
     * anything is written. {@code label} names memory i in errors (null: no prefix).
     */
    static List<Row> prepare(Collection col, List<NewMemory> items, int maxChars, IntFunction<String> label) {
        List<String> ids = new ArrayList<>(items.size());
        List<String> tenants = new ArrayList<>(items.size());
        List<String> metadata = new ArrayList<>(items.size());
        List<float[]> vectors = new ArrayList<>(items.size());
        List<String> toEmbed = new ArrayList<>();
        List<Integer> embedAt = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            NewMemory m = items.get(i);
            try {
                MemoryChecks.content(m.content(), maxChars);
                ids.add(m.id() == null ? UUID.randomUUID().toString() : MemoryChecks.id(m.id()));
                tenants.add(MemoryChecks.tenantFor(col, m.tenant()));
                metadata.add(MemoryChecks.metadata(m.metadata()));
                if (m.vector() != null) {
                    vectors.add(MemoryChecks.storedVector(m.vector(), col));
                } else if (!col.embedsText()) {
                    throw new PgboxException(ErrorKind.USAGE, "no vector for the text",
                            "collection '" + col.name() + "' was made with --model external: pgbox embeds no text for it, every memory brings"
                                    + " its own vector of " + col.dim() + " numbers",
                            "pass --vector '[...]' or --vector-file FILE (in a file: an \"embedding\" field on every line)");
                } else {
                    vectors.add(null);
                    toEmbed.add(m.content());
                    embedAt.add(i);
                }
            } catch (PgboxException e) {
                throw at(label.apply(i), e);
            }
        }
        if (!toEmbed.isEmpty()) {
            List<float[]> made = Embedders.named(col.model()).embed(toEmbed);
            for (int k = 0; k < made.size(); k++) {
                vectors.set(embedAt.get(k), MemoryChecks.storedVector(made.get(k), col));
            }
        }
        List<Row> rows = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            rows.add(new Row(ids.get(i), tenants.get(i), items.get(i).content(), metadata.get(i), Vectors.literal(vectors.get(i))));
        }
        return rows;
    }

    /** The error with its position in front ("memory 3: ...", "file.jsonl:12: ..."); unchanged when {@code where} is null. */
    static PgboxException at(String where, PgboxException e) {
        if (where == null) {
            return e;
        }
        return new PgboxException(e.kind(), where + ": " + e.what(), e.reason(), e.fix(), e);
    }

    /**
     * Writes the rows in the caller's transaction (begun here when not yet), tenant by tenant, each
     * group under its own app.tenant_id. {@code upsert}: an existing id is replaced (and undeleted);
     * otherwise an existing id is left alone. Returns how many rows were written.
     */
    static int insert(Connection c, Collection col, List<Row> rows, boolean upsert) throws SQLException {
        Map<String, List<Row>> byTenant = new LinkedHashMap<>();
        for (Row r : rows) {
            byTenant.computeIfAbsent(Objects.requireNonNullElse(r.tenant(), ""), k -> new ArrayList<>()).add(r);
        }
        String sql = "INSERT INTO " + col.table() + " (id, tenant_id, content, metadata, embedding)"
                + " VALUES (?::uuid, ?, ?, ?::jsonb, ?::vector) ON CONFLICT (id) DO "
                + (upsert ? "UPDATE SET tenant_id = EXCLUDED.tenant_id, content = EXCLUDED.content, metadata = EXCLUDED.metadata,"
                        + " embedding = EXCLUDED.embedding, deleted_at = NULL" : "NOTHING");
        int written = 0;
        for (Map.Entry<String, List<Row>> group : byTenant.entrySet()) {
            // rows without a tenant exist only in collections without row-level security, where app.tenant_id is not read
            MemorySql.begin(c, group.getKey().isEmpty() ? null : group.getKey());
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (Row r : group.getValue()) {
                    ps.setString(1, r.id());
                    ps.setString(2, r.tenant());
                    ps.setString(3, r.content());
                    ps.setString(4, r.metadata());
                    ps.setString(5, r.vector());
                    ps.addBatch();
                }
                for (int n : ps.executeBatch()) {
                    written += Math.max(n, 0);
                }
            }
        }
        return written;
    }

    /**
     * An upsert whose id names another tenant's memory: the row-level security policy hides that row, so
     * PostgreSQL refuses the update with insufficient_privilege (42501). Other failures pass unchanged.
     */
    private static SQLException otherTenant(SQLException e, Collection col) {
        if (col.tenant() && "42501".equals(e.getSQLState())) {
            throw new PgboxException(ErrorKind.USAGE, "an id of the call names a memory of another tenant in collection '" + col.name() + "'",
                    "row-level security lets a tenant neither see nor replace another tenant's memories",
                    "leave out --id to add a new memory, or pass the tenant the memory belongs to");
        }
        return e;
    }

    /** The one memory the statement returns, or null. */
    private static Memory one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? memory(rs) : null;
        }
    }

    /** A memory from the columns {@link #COLUMNS} lists. */
    static Memory memory(ResultSet rs) throws SQLException {
        JsonNode metadata;
        try {
            metadata = JSON.readTree(rs.getString(3));
        } catch (IOException e) {
            throw new IllegalStateException("the server returned metadata that is not JSON", e);
        }
        return new Memory(rs.getString(1), rs.getString(2), metadata, rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7));
    }

    private static Memory found(Memory m, Collection col, String id, String tenant) {
        if (m != null) {
            return m;
        }
        String cause = col.tenant() && tenant == null
                ? "collection '" + col.name() + "' has tenancy: row-level security shows a memory only to its own tenant"
                : "no live memory has that id" + (tenant == null ? "" : " for tenant '" + tenant + "'")
                        + " (it may never have existed, belong to another tenant, or be deleted)";
        throw new PgboxException(ErrorKind.NOT_FOUND, "no memory " + id + " in collection '" + col.name() + "' of app '" + col.app() + "'",
                cause, col.tenant() && tenant == null ? "pass --tenant ID (the memory's tenant)"
                        : "check the id (pgbox memory search " + col.app() + " " + col.name() + " ... shows ids)");
    }

    private static String utc(String column) {
        return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
    }
}
