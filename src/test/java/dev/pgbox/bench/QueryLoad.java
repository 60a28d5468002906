package dev.pgbox.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed-loop query load: {@code clients} threads, each with its own client (its own connection),
 * send one query after another for a fixed time after a warm-up, each starting at a different place
 * in the query list. Reports queries per second over the measured window and the latency percentiles
 * of every query in it.
 */
final class QueryLoad {
    private QueryLoad() {
    }

    /** One client: a connection and a prepared search. */
    interface Client extends AutoCloseable {
        /** Runs query number {@code i} and reads its whole answer. */
        void search(int i) throws Exception;

        @Override
        void close() throws java.sql.SQLException;
    }

    /** Opens a new client (called once per thread). */
    interface Clients {
        Client open() throws Exception;
    }

    /** What one load measured; times in milliseconds. */
    record Stats(int clients, long queries, double seconds, double qps, double p50, double p95) {
        String line() {
            return String.format("%d client%s: %,.0f QPS, p50 %.2f ms, p95 %.2f ms (%,d queries in %.1f s)", clients,
                    clients == 1 ? "" : "s", qps, p50, p95, queries, seconds);
        }
    }

    static Stats run(Clients factory, int clients, int queryCount, double warmupSeconds, double seconds) throws Exception {
        long[] window = new long[1];
        // the last client to finish its warm-up opens the measured window for all at once
        CyclicBarrier ready = new CyclicBarrier(clients, () -> window[0] = System.nanoTime());
        long[][] latencies = new long[clients][];
        int[] counts = new int[clients];
        long[] lastDone = new long[clients];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int me = c;
            threads.add(new Thread(() -> {
                try (Client client = factory.open()) {
                    int i = me * queryCount / clients;
                    long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
                    do {
                        client.search(i++ % queryCount);
                    } while (System.nanoTime() < warmEnd);
                    ready.await();
                    long end = window[0] + (long) (seconds * 1e9);
                    long[] lat = new long[1 << 14];
                    int n = 0;
                    long start = System.nanoTime();
                    while (start < end) {
                        client.search(i++ % queryCount);
                        long done = System.nanoTime();
                        if (n == lat.length) {
                            lat = Arrays.copyOf(lat, n * 2);
                        }
                        lat[n++] = done - start;
                        start = done;
                    }
                    latencies[me] = lat;
                    counts[me] = n;
                    lastDone[me] = start;
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    ready.reset(); // the others stop at the barrier instead of waiting forever
                }
            }, "bench-client-" + c));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        Throwable f = failure.get();
        if (f != null) {
            throw f instanceof Exception ex ? ex : new IllegalStateException("a client failed", f);
        }
        int total = 0;
        long windowEnd = 0;
        for (int c = 0; c < clients; c++) {
            total += counts[c];
            windowEnd = Math.max(windowEnd, lastDone[c]);
        }
        long[] all = new long[total];
        int at = 0;
        for (int c = 0; c < clients; c++) {
            System.arraycopy(latencies[c], 0, all, at, counts[c]);
            at += counts[c];
        }
        Arrays.sort(all);
        double secs = (windowEnd - window[0]) / 1e9;
        return new Stats(clients, total, secs, total / secs, percentile(all, 0.50), percentile(all, 0.95));
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
