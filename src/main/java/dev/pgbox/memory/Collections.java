package dev.pgbox.memory;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import dev.pgbox.memory.embed.Embedders;
import dev.pgbox.memory.imports.ImportLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Making and listing collections. A collection is made as the app's owner role in one transaction:
 * the registry (and the import log) when missing, the table with its indexes and policy, and the
 * registry row, so a failure leaves nothing behind. The app's default privileges (for tables its owner
 * makes in public) give the login role its data rights on the new table.
 */
final class Collections {
    private final Memories memories;

    Collections(Memories memories) {
        this.memories = memories;
    }

    /** Refuses a spec pgbox cannot make, before any connection: dimension, model and its dimension. */
    static void check(CollectionSpec spec) {
        boolean external = CollectionSpec.EXTERNAL.equals(spec.model());
        if (!external && !Embedders.DEFAULT_MODEL.equals(spec.model())) {
            throw new PgboxException(ErrorKind.USAGE, "unknown embedding model '" + spec.model() + "'",
                    "pgbox carries one model, " + Embedders.DEFAULT_MODEL + " (" + Embedders.DEFAULT_DIM + " dimensions)",
                    "use --model " + Embedders.DEFAULT_MODEL + ", or --model external and supply every vector yourself");
        }
        if (spec.dim() < 1 || spec.dim() > CollectionSpec.MAX_INDEXED_DIM) {
            throw new PgboxException(ErrorKind.USAGE, "invalid dimension " + spec.dim() + " for collection '" + spec.name() + "'",
                    "pgvector indexes vectors of 1 to " + CollectionSpec.MAX_INDEXED_DIM + " dimensions",
                    "pass --dim from 1 to " + CollectionSpec.MAX_INDEXED_DIM + " (the length of your model's vectors, e.g. 384 or 1536)");
        }
        if (!external && spec.dim() != Embedders.DEFAULT_DIM) {
            throw new PgboxException(ErrorKind.USAGE, "--dim " + spec.dim() + " does not fit the model " + spec.model(),
                    spec.model() + " makes vectors of " + Embedders.DEFAULT_DIM + " dimensions",
                    "leave out --dim (or pass --dim " + Embedders.DEFAULT_DIM + "), or use --model external --dim " + spec.dim()
                            + " and supply the vectors");
        }
        if (spec.textConfig() == null || spec.textConfig().isBlank()) {
            throw new PgboxException(ErrorKind.USAGE, "no text search configuration", "the full-text column needs one",
                    "pass --text-config english (or simple, german, ...)");
        }
    }

    Collection create(CollectionSpec spec) {
        check(spec);
        AppName app = spec.app();
        return memories.sessions().withConnection(app, true, c -> {
            try {
                requireTextConfig(c, spec.textConfig());
                MemorySql.begin(c, null);
                Registry.ensure(c, app);
                ImportLog.ensure(c, app);
                if (!Registry.list(c, app).stream().filter(x -> x.name().equals(spec.name().value())).toList().isEmpty()) {
                    throw new PgboxException(ErrorKind.USAGE, "collection '" + spec.name() + "' already exists in app '" + app + "'",
                            "a collection is made once; its dimension, metric and model stay what they were made with",
                            "use it as it is (pgbox memory list " + app + "), or pick another name");
                }
                requireNoTable(c, spec.name());
                try (Statement st = c.createStatement()) {
                    for (String sql : CollectionDdl.create(spec)) {
                        st.execute(sql);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + Registry.TABLE
                        + " (name, dim, metric, tenant, model, text_config) VALUES (?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, spec.name().value());
                    ps.setInt(2, spec.dim());
                    ps.setString(3, spec.metric().label());
                    ps.setBoolean(4, spec.tenant());
                    ps.setString(5, spec.model());
                    ps.setString(6, spec.textConfig());
                    ps.executeUpdate();
                }
                Collection made = Registry.require(c, app, spec.name());
                MemorySql.commit(c);
                return made;
            } catch (RuntimeException | SQLException e) {
                MemorySql.rollback(c);
                throw e;
            }
        });
    }

    List<Collection> list(AppName app) {
        return memories.sessions().withConnection(app, false, c -> Registry.list(c, app));
    }

    Collection describe(AppName app, CollectionName name) {
        return memories.sessions().withConnection(app, false, c -> Registry.require(c, app, name));
    }

    /** Refuses a text search configuration the server does not have; runs before the transaction (a failed cast would abort it). */
    private static void requireTextConfig(Connection c, String config) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT ?::text::regconfig")) {
            ps.setString(1, config);
            ps.executeQuery().close();
        } catch (SQLException e) {
            // 42704 undefined object, 42602 invalid name, 3F000 no such schema
            if (!"42704".equals(e.getSQLState()) && !"42602".equals(e.getSQLState()) && !"3F000".equals(e.getSQLState())
                    && !"42601".equals(e.getSQLState())) {
                throw e;
            }
            throw new PgboxException(ErrorKind.USAGE, "unknown text search configuration " + dev.pgbox.sql.SqlText.shown(config),
                    "the server has no such configuration (SELECT cfgname FROM pg_ts_config lists them)",
                    "pass --text-config english, simple, german, french, ...");
        }
    }

    private static void requireNoTable(Connection c, CollectionName name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, name.sql());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    throw new PgboxException(ErrorKind.USAGE, "table " + name.sql() + " already exists",
                            "collection '" + name + "' would be that table, but pgbox's registry does not list it (made by hand or by a migration?)",
                            "pick another collection name, or drop or rename the table first");
                }
            }
        }
    }
}
