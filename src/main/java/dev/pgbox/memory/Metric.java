package dev.pgbox.memory;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.util.Locale;

/**
 * How a collection measures distance. Cosine collections store unit vectors (pgbox normalises every
 * vector it writes, and a CHECK refuses others), so cosine distance equals 1 + the negative inner
 * product: their index uses vector_ip_ops and searches order by {@code <#>}, the cheaper operator,
 * while the distance shown is still the cosine distance.
 */
public enum Metric {
    COSINE("vector_ip_ops", "<#>"),
    L2("vector_l2_ops", "<->"),
    IP("vector_ip_ops", "<#>");

    private final String opclass;
    private final String operator;

    Metric(String opclass, String operator) {
        this.opclass = opclass;
        this.operator = operator;
    }

    /** The operator class of the collection's vector index. */
    public String opclass() {
        return opclass;
    }

    /** The operator searches order by (the index's): smaller is nearer. */
    public String operator() {
        return operator;
    }

    /** Whether vectors are normalised to length 1 before they are stored or searched. */
    public boolean normalised() {
        return this == COSINE;
    }

    /**
     * The distance users see for the operator's value {@code raw}: cosine distance (0 same direction,
     * 2 opposite) for cosine, Euclidean distance for l2, and the negative inner product for ip.
     */
    public double shownDistance(double raw) {
        return this == COSINE ? 1 + raw : raw;
    }

    /** The value the operator yields for a shown distance (to turn a --max-distance into SQL). */
    public double rawDistance(double shown) {
        return this == COSINE ? shown - 1 : shown;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Metric parse(String text) {
        for (Metric m : values()) {
            if (m.label().equals(text)) {
                return m;
            }
        }
        throw new PgboxException(ErrorKind.USAGE, "unknown metric '" + text + "'",
                "a collection measures distance by cosine, l2 or ip (inner product)",
                "use --metric cosine (the default; for normalised text embeddings), l2 or ip");
    }
}
