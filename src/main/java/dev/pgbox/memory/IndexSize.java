package dev.pgbox.memory;

/**
 * How much memory pgvector needs to build an index in maintenance_work_mem.
 *
 * <p>HNSW keeps the whole graph in memory while it builds (and writes it out at the end); when the
 * graph outgrows maintenance_work_mem it goes on inserting into the on-disk index, which is several
 * times slower. Per element the in-memory graph holds (pgvector 0.8's HnswElementData and friends):
 * <ul>
 * <li>the element itself, about 112 bytes (10 heap tids, level, flags, hash, page pointers, a lock);</li>
 * <li>the vector: 8 bytes of header plus 4 bytes per dimension;</li>
 * <li>its neighbour lists: 8 bytes per level for the list pointers, and per level a list header of 8
 * bytes plus 16 bytes per slot (a candidate: element pointer, distance, flag) - 2 x m slots on level 0,
 * m on each upper level. The expected number of upper levels is 1 / (m - 1): an element reaches level
 * l with probability m^-l;</li>
 * <li>about 112 bytes of allocator overhead (chunk headers, the graph's own bookkeeping).</li>
 * </ul>
 * Calibrated against pgvector 0.8.0 on PostgreSQL 15: with maintenance_work_mem 4MB and 5MB a 32-d, m 16
 * build reported "graph no longer fits" after 4,625 and 5,781 elements, 907 bytes each; the sum above
 * gives 906. For 384 dimensions that is about 2.4 kB; for 1536 dimensions about 7.1 kB (a million OpenAI
 * embeddings need about 7 GB to build in memory).
 *
 * <p>IVFFlat builds k-means over a sample of max(50 x lists, 10,000) vectors with per-sample bounds to
 * every centre; pgvector refuses to build when those do not fit ("memory required is N MB").
 */
public final class IndexSize {
    static final int ELEMENT_BYTES = 112;
    static final int ALLOC_OVERHEAD_BYTES = 112;
    static final int CANDIDATE_BYTES = 16;
    static final int LIST_HEADER_BYTES = 8;

    private IndexSize() {
    }

    /** The bytes of one vector of {@code dim} dimensions as pgvector holds it. */
    public static long vectorBytes(int dim) {
        return 8L + 4L * dim;
    }

    /** The expected in-memory bytes of one HNSW element. */
    public static double hnswElementBytes(int dim, int m) {
        double upperLevels = 1.0 / (m - 1);
        double neighbourPointers = 8 * (1 + upperLevels);
        double level0 = LIST_HEADER_BYTES + 2.0 * m * CANDIDATE_BYTES;
        double upper = upperLevels * (LIST_HEADER_BYTES + (double) m * CANDIDATE_BYTES);
        return ELEMENT_BYTES + vectorBytes(dim) + neighbourPointers + level0 + upper + ALLOC_OVERHEAD_BYTES;
    }

    /** The in-memory HNSW graph of {@code rows} vectors. */
    public static long hnswBytes(long rows, int dim, int m) {
        return (long) Math.ceil(rows * hnswElementBytes(dim, m));
    }

    /**
     * IVFFlat's k-means working set as pgvector 0.8 checks it before building: the sample array, sized for
     * max(50 x lists, 10,000) vectors whatever the row count; per sample a lower bound for each centre
     * (Elkan's k-means, 4 bytes each: the big term for many lists) and two more numbers; three copies of
     * the centres; two lists x lists distance tables.
     */
    public static long ivfflatBytes(long rows, int dim, int lists) {
        long samples = Math.max(50L * lists, 10_000L);
        return samples * vectorBytes(dim) + samples * lists * 4L + samples * 8L + 3L * lists * vectorBytes(dim) + 2L * lists * lists * 4L;
    }

    /** The build memory of {@code choice} over {@code rows} rows. */
    public static long estimate(IndexChoice choice, long rows, int dim) {
        return choice.type().equals(IndexChoice.HNSW) ? hnswBytes(rows, dim, choice.m()) : ivfflatBytes(rows, dim, choice.lists());
    }
}
