package dev.pgbox.memory;

import java.util.ArrayList;
import java.util.List;

/**
 * Maximal Marginal Relevance: re-ranks the nearest candidates so the hits are relevant and not
 * repetitive. Greedily, each next hit is the candidate maximising
 * {@code lambda * sim(query, d) - (1 - lambda) * max sim(d, hit already picked)}, with sim the cosine
 * similarity (whatever the collection's metric: it compares directions, the natural measure of
 * "says the same thing" for embeddings). lambda = 1 is plain nearest-first; lambda = 0 only avoids
 * repetition. Ties go to the earlier candidate, i.e. the nearer one.
 */
final class Mmr {
    private Mmr() {
    }

    /**
     * The indices of at most {@code k} candidates in the order MMR picks them.
     *
     * @param candidates the candidates' vectors, nearest first
     */
    static List<Integer> select(float[] query, List<float[]> candidates, double lambda, int k) {
        int n = candidates.size();
        double[] relevance = new double[n];
        double[] nearestPicked = new double[n];
        boolean[] picked = new boolean[n];
        for (int i = 0; i < n; i++) {
            relevance[i] = cosine(query, candidates.get(i));
            nearestPicked[i] = Double.NEGATIVE_INFINITY;
        }
        List<Integer> order = new ArrayList<>();
        while (order.size() < Math.min(k, n)) {
            int best = -1;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                if (picked[i]) {
                    continue;
                }
                // before the first pick nothing is redundant: the penalty is 0
                double redundancy = order.isEmpty() ? 0 : nearestPicked[i];
                double value = lambda * relevance[i] - (1 - lambda) * redundancy;
                if (best < 0 || value > bestValue) {
                    best = i;
                    bestValue = value;
                }
            }
            picked[best] = true;
            order.add(best);
            float[] chosen = candidates.get(best);
            for (int i = 0; i < n; i++) {
                if (!picked[i]) {
                    nearestPicked[i] = Math.max(nearestPicked[i], cosine(chosen, candidates.get(i)));
                }
            }
        }
        return order;
    }

    /** Cosine similarity, 0 when either vector is all zeros. */
    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
