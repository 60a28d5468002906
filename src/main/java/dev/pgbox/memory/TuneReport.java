package dev.pgbox.memory;

import java.util.List;

/** What 'memory tune' measured and set. */
public record TuneReport(String app, String collection, double target, int samples, String setting, Integer chosen, Double recall,
                         List<Step> steps, long millis) {
    /** One tried value with its measured recall@10 and mean query time. */
    public record Step(int value, double recall, double meanMillis) {
    }
}
