package dev.pgbox.memory;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The vector index 'memory index' builds: its kind and parameters, chosen from the collection's live
 * rows unless the caller named them (explicit options always win).
 *
 * <p>The rule, for HNSW: m 16 (pgvector's default, good for text embeddings up to about a million
 * rows), 24 from {@value #LARGE_ROWS} rows, where a denser graph keeps recall up without an ever wider
 * search; ef_construction 64 below {@value #BIG_ROWS} rows, 128 from there, and 128 too when the last
 * 'memory tune' needed an ef_search of {@value #HIGH_EF_SEARCH} or more (a sign the graph is too sparse
 * for the data). ef_construction is at least 2 x m (pgvector refuses less). For IVFFlat: lists = rows /
 * 1000 up to a million rows, sqrt(rows) above (pgvector's guidance), at least 1.
 *
 * @param type hnsw or ivfflat
 * @param m HNSW: neighbours per node (null for ivfflat)
 * @param efConstruction HNSW: candidate list size while building (null for ivfflat)
 * @param lists IVFFlat: number of clusters (null for hnsw)
 * @param reasons why each value, in words
 */
public record IndexChoice(String type, Integer m, Integer efConstruction, Integer lists, List<String> reasons) {
    public static final String HNSW = "hnsw";
    public static final String IVFFLAT = "ivfflat";
    public static final long BIG_ROWS = 100_000;
    public static final long LARGE_ROWS = 1_000_000;
    public static final int HIGH_EF_SEARCH = 200;

    /**
     * Chooses for {@code rows} live rows.
     *
     * @param currentType the collection's index type now (kept unless options name another)
     * @param tunedEfSearch the ef_search the last 'memory tune' chose, or null
     */
    public static IndexChoice choose(long rows, IndexOptions o, String currentType, Integer tunedEfSearch) {
        String type = o.type() != null ? o.type() : currentType != null ? currentType : HNSW;
        if (!type.equals(HNSW) && !type.equals(IVFFLAT)) {
            throw usage("unknown index type '" + type + "'", "pgvector indexes vectors with hnsw or ivfflat", "use --type hnsw or --type ivfflat");
        }
        List<String> why = new ArrayList<>();
        if (type.equals(IVFFLAT)) {
            if (o.m() != null || o.efConstruction() != null) {
                throw usage("--m and --ef-construction are HNSW parameters", "an ivfflat index has lists only", "use --lists N, or --type hnsw");
            }
            int lists;
            if (o.lists() != null) {
                lists = o.lists();
                why.add("lists " + lists + ": given");
            } else if (rows <= LARGE_ROWS) {
                lists = (int) Math.max(1, rows / 1000);
                why.add("lists " + lists + ": rows / 1000 (up to a million rows)");
            } else {
                lists = (int) Math.round(Math.sqrt(rows));
                why.add("lists " + lists + ": sqrt(rows) (above a million rows)");
            }
            if (lists < 1 || lists > 32768) {
                throw usage("--lists " + lists + " is out of range", "pgvector allows 1 to 32768 lists", "use a value in that range");
            }
            return new IndexChoice(type, null, null, lists, List.copyOf(why));
        }
        if (o.lists() != null) {
            throw usage("--lists is an IVFFlat parameter", "an hnsw index has m and ef_construction", "use --m and --ef-construction, or --type ivfflat");
        }
        int m;
        if (o.m() != null) {
            m = o.m();
            why.add("m " + m + ": given");
        } else if (rows >= LARGE_ROWS) {
            m = 24;
            why.add(String.format(Locale.ROOT, "m 24: %,d rows (a million or more): a denser graph", rows));
        } else {
            m = 16;
            why.add(String.format(Locale.ROOT, "m 16: %,d rows (below a million)", rows));
        }
        if (m < 2 || m > 100) {
            throw usage("--m " + m + " is out of range", "pgvector allows m from 2 to 100", "use a value in that range (16 is a good start)");
        }
        int ef;
        if (o.efConstruction() != null) {
            ef = o.efConstruction();
            why.add("ef_construction " + ef + ": given");
        } else if (rows >= BIG_ROWS) {
            ef = 128;
            why.add(String.format(Locale.ROOT, "ef_construction 128: %,d rows (%,d or more)", rows, BIG_ROWS));
        } else if (tunedEfSearch != null && tunedEfSearch >= HIGH_EF_SEARCH) {
            ef = 128;
            why.add("ef_construction 128: the last 'memory tune' needed ef_search " + tunedEfSearch + " (a sparse graph)");
        } else {
            ef = 64;
            why.add(String.format(Locale.ROOT, "ef_construction 64: %,d rows (below %,d)", rows, BIG_ROWS));
        }
        if (o.efConstruction() == null && ef < 2 * m) {
            ef = 2 * m;
            why.add("ef_construction raised to " + ef + ": at least 2 x m");
        }
        if (ef < 4 || ef > 1000 || ef < 2 * m) {
            throw usage("--ef-construction " + ef + " is out of range", "pgvector allows 4 to 1000, and at least 2 x m (" + 2 * m + ")",
                    "use a value in that range (64 or 128)");
        }
        return new IndexChoice(type, m, ef, null, List.copyOf(why));
    }

    /** The WITH (...) of CREATE INDEX; values are validated integers. */
    public String with() {
        return type.equals(HNSW) ? "m = " + m + ", ef_construction = " + efConstruction : "lists = " + lists;
    }

    /** A short description, e.g. "hnsw m=16 ef_construction=64". */
    public String summary() {
        return type.equals(HNSW) ? "hnsw m=" + m + " ef_construction=" + efConstruction : "ivfflat lists=" + lists;
    }

    private static PgboxException usage(String what, String cause, String fix) {
        return new PgboxException(ErrorKind.USAGE, what, cause, fix);
    }
}
