package dev.pgbox.memory;

import java.util.ArrayList;
import java.util.List;

/**
 * The search-width values 'memory tune' tries, lowest first, and the search for the lowest that meets
 * a recall target. Recall grows with ef_search (or probes) but not strictly, so the search measures
 * upwards and stops at the first value that meets the target: that is the lowest measured one.
 */
public final class Ladder {
    /** hnsw.ef_search values (pgvector allows 1 to 1000). */
    public static final List<Integer> EF_SEARCH = List.of(10, 16, 20, 32, 40, 64, 80, 100, 128, 200, 256, 400, 512, 800, 1000);
    private static final List<Integer> PROBES = List.of(1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024,
            1536, 2048, 3072, 4096, 6144, 8192, 12288, 16384, 24576, 32768);

    /** One measurement. */
    public interface Measure {
        TuneReport.Step at(int value);
    }

    /** What a search found: every step measured, and the first meeting the target (or null). */
    public record Outcome(List<TuneReport.Step> steps, TuneReport.Step chosen) {
    }

    private Ladder() {
    }

    /**
     * ef_search values for top-{@code k} searches: from the first value not below k (an HNSW scan returns
     * at most ef_search rows, so a smaller one cannot fill k), always with 1000 as the last.
     */
    public static List<Integer> efSearch(int k) {
        List<Integer> out = new ArrayList<>();
        for (int v : EF_SEARCH) {
            if (v >= k) {
                out.add(v);
            }
        }
        if (out.isEmpty()) {
            out.add(1000);
        }
        return out;
    }

    /** ivfflat.probes values up to the index's lists (probing every list is an exact search), always ending with lists. */
    public static List<Integer> probes(int lists) {
        List<Integer> out = new ArrayList<>();
        for (int v : PROBES) {
            if (v < lists) {
                out.add(v);
            }
        }
        out.add(lists);
        return out;
    }

    /** Measures {@code values} in order until one meets {@code target}. */
    public static Outcome search(List<Integer> values, double target, Measure measure) {
        List<TuneReport.Step> steps = new ArrayList<>();
        for (int v : values) {
            TuneReport.Step s = measure.at(v);
            steps.add(s);
            if (s.recallLowerBound() >= target) {
                return new Outcome(List.copyOf(steps), s);
            }
        }
        return new Outcome(List.copyOf(steps), null);
    }
}
