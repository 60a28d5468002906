package dev.pgbox.memory;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.util.Locale;

/** How 'memory search' ranks: by vector distance, by full-text rank, both fused (RRF), or vector with diversity (MMR). */
public enum SearchMode {
    VECTOR, TEXT, HYBRID, MMR;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SearchMode parse(String text) {
        for (SearchMode m : values()) {
            if (m.label().equals(text)) {
                return m;
            }
        }
        throw new PgboxException(ErrorKind.USAGE, "unknown search mode '" + text + "'",
                "memory search ranks by vector, text, hybrid (both, fused by reciprocal rank) or mmr (vector, diversified)",
                "use --mode vector, text, hybrid or mmr");
    }
}
