package dev.pgbox.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The exact K nearest rows of each query by brute force over the loaded vectors, in memory, one
 * thread per CPU: the same answer as the server's sequential scan (the benchmark checks a sample of
 * queries against one), in seconds instead of the minutes 500 sequential scans of 60k rows take.
 * Every vector is unit length, so cosine distance is 1 - the dot product.
 */
final class ExactNeighbours {
    private ExactNeighbours() {
    }

    /** For each query, the K smallest cosine distances to {@code rows}, nearest first. */
    static List<double[]> of(List<float[]> rows, List<float[]> queries, int k) throws Exception {
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<double[]>> futures = new ArrayList<>();
            for (float[] q : queries) {
                futures.add(pool.submit(() -> nearest(rows, q, k)));
            }
            List<double[]> out = new ArrayList<>();
            for (Future<double[]> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static double[] nearest(List<float[]> rows, float[] q, int k) {
        // a bounded max-heap would do; with k = 10 a sorted insertion array is as quick and simpler
        double[] best = new double[k];
        Arrays.fill(best, Double.MAX_VALUE);
        for (float[] r : rows) {
            double d = 1 - dot(r, q);
            if (d < best[k - 1]) {
                int i = k - 1;
                while (i > 0 && best[i - 1] > d) {
                    best[i] = best[i - 1];
                    i--;
                }
                best[i] = d;
            }
        }
        int n = (int) Arrays.stream(best).filter(d -> d != Double.MAX_VALUE).count();
        return Arrays.copyOf(best, n);
    }

    private static double dot(float[] a, float[] b) {
        // four partial sums: independent chains the JIT can pipeline
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 3 < a.length; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < a.length; i++) {
            s0 += a[i] * b[i];
        }
        return (double) s0 + s1 + s2 + s3;
    }
}
