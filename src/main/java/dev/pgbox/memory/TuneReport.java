package dev.pgbox.memory;

import java.util.List;

/**
 * What 'memory tune' measured and set.
 *
 * @param indexType hnsw or ivfflat
 * @param target the recall@k aimed for
 * @param samples query vectors measured (live rows' own embeddings, each row left out of its own truth)
 * @param k neighbours per query
 * @param setting hnsw.ef_search or ivfflat.probes
 * @param chosen the lowest value meeting the target (saved in the registry), or null when none did
 * @param recall the recall measured at {@code chosen}, or the best measured when none met the target
 * @param met whether a value met the target
 * @param steps every value tried, lowest first
 * @param previous the value the registry held before, or null
 * @param suggestion what to do when the target was not met, else null
 */
public record TuneReport(String app, String collection, String indexType, double target, int samples, int k, String setting, Integer chosen,
                         Double recall, boolean met, List<Step> steps, Integer previous, String suggestion, long millis) {
    /**
     * One tried value with its measured recall@k (the mean over the queries), the lower end of its 95 %
     * one-sided confidence interval (mean - 1.645 standard errors of the per-query recalls), and the mean
     * query time. A value meets the target when the lower bound does: a lucky sample cannot pick too
     * small a value.
     */
    public record Step(int value, double recall, double recallLowerBound, double meanMillis) {
        /** A step measured without spread (the bound is the mean). */
        public Step(int value, double recall, double meanMillis) {
            this(value, recall, recall, meanMillis);
        }
    }
}
