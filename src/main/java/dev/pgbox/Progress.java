package dev.pgbox;

/**
 * Where long-running work reports what it is doing. The CLI prints steps with elapsed time;
 * {@link #SILENT} is used for --json output and in tests of pure code.
 */
public interface Progress {
    /** A step starts; the text says what and, where known, how much. */
    void step(String what);

    /** Extra detail for the current step (a line of tool output, a count). */
    default void detail(String line) {
    }

    Progress SILENT = what -> {
    };
}
