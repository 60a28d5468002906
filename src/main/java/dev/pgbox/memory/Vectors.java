package dev.pgbox.memory;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.util.Locale;

/** Vector helpers: pgvector's text form, normalising, and the checks every vector passes before SQL. */
public final class Vectors {
    private Vectors() {
    }

    /** pgvector's text form, e.g. [0.1,0.2]: bound as a parameter and cast with ::vector. */
    public static String literal(float[] v) {
        StringBuilder b = new StringBuilder(v.length * 11 + 2).append('[');
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(v[i]);
        }
        return b.append(']').toString();
    }

    /** Parses pgvector's text form (as the server returns it). */
    public static float[] parse(String text) {
        String t = text.strip();
        if (t.length() < 2 || t.charAt(0) != '[' || t.charAt(t.length() - 1) != ']') {
            throw new IllegalArgumentException("not a vector: " + t);
        }
        String body = t.substring(1, t.length() - 1).strip();
        if (body.isEmpty()) {
            return new float[0];
        }
        String[] parts = body.split(",");
        float[] v = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = Float.parseFloat(parts[i].strip());
        }
        return v;
    }

    public static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /** A unit-length copy; a zero vector is refused (it has no direction, so no cosine distance). */
    public static float[] normalised(float[] v) {
        double n = Math.sqrt(dot(v, v));
        if (n == 0 || Double.isNaN(n)) {
            throw new PgboxException(ErrorKind.USAGE, "the vector is all zeros", "a zero vector has no direction, so no cosine distance",
                    "pass the embedding your model returned");
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / n);
        }
        return out;
    }

    /** Refuses a vector of the wrong length or with NaN/infinite values, naming the collection. */
    public static void check(float[] v, Collection c) {
        if (v.length != c.dim()) {
            throw new PgboxException(ErrorKind.USAGE, "the vector has " + v.length + " dimensions, collection '" + c.name() + "' has " + c.dim(),
                    "every vector of a collection has the dimension it was created with (--dim " + c.dim() + ")",
                    "pass a vector of " + c.dim() + " numbers (the model the collection was made for), or create another collection with --dim "
                            + v.length);
        }
        for (float f : v) {
            if (Float.isNaN(f) || Float.isInfinite(f)) {
                throw new PgboxException(ErrorKind.USAGE, "the vector holds " + String.valueOf(f).toLowerCase(Locale.ROOT),
                        "pgvector stores only finite numbers", "pass finite numbers");
            }
        }
    }
}
