package dev.pgbox.monitor;

import java.util.Map;
import java.util.TreeMap;

/**
 * One sample of a metric: its name, its labels (sorted by name, so one series always prints the same)
 * and its value.
 */
public record MetricSample(String name, Map<String, String> labels, double value) {

    public MetricSample {
        labels = java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
    }

    /** A sample without labels. */
    public static MetricSample of(String name, double value) {
        return new MetricSample(name, Map.of(), value);
    }

    /** A sample with one label. */
    public static MetricSample of(String name, String label, String labelValue, double value) {
        return new MetricSample(name, Map.of(label, labelValue), value);
    }
}
