package dev.pgbox.monitor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes samples in the Prometheus text exposition format 0.0.4: per family one HELP and one TYPE line,
 * then its samples. Families come in catalogue order; a sample whose name the catalogue lacks is left
 * out (a family must have its metadata, and a typo must not reach a scraper).
 */
public final class MetricsText {
    /** The content type of the format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private MetricsText() {
    }

    public static String write(List<MetricSample> samples) {
        Map<String, List<MetricSample>> byName = new LinkedHashMap<>();
        for (MetricSample s : samples) {
            byName.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(s);
        }
        StringBuilder out = new StringBuilder(samples.size() * 64);
        for (MetricFamily f : MetricFamily.ALL.values()) {
            List<MetricSample> rows = byName.get(f.name());
            if (rows == null) {
                continue;
            }
            out.append("# HELP ").append(f.name()).append(' ').append(escapeHelp(f.help())).append('\n');
            out.append("# TYPE ").append(f.name()).append(' ').append(f.type().text()).append('\n');
            for (MetricSample s : rows) {
                out.append(s.name());
                if (!s.labels().isEmpty()) {
                    out.append('{');
                    boolean first = true;
                    for (Map.Entry<String, String> l : s.labels().entrySet()) {
                        out.append(first ? "" : ",").append(l.getKey()).append("=\"").append(escapeLabel(l.getValue())).append('"');
                        first = false;
                    }
                    out.append('}');
                }
                out.append(' ').append(number(s.value())).append('\n');
            }
        }
        return out.toString();
    }

    /** A label value: backslash, double quote and line feed escaped. */
    static String escapeLabel(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** HELP text: backslash and line feed escaped. */
    static String escapeHelp(String v) {
        return v.replace("\\", "\\\\").replace("\n", "\\n");
    }

    /** A value as the format writes it: whole numbers without a fraction, NaN and +Inf/-Inf by name. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        // plain decimals where they are exact enough to read (timestamps with a fraction), else Java's form
        return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e15 ? java.math.BigDecimal.valueOf(v).toPlainString() : Double.toString(v);
    }
}
