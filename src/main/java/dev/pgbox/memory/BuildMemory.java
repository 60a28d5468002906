package dev.pgbox.memory;

import dev.pgbox.config.Size;
import java.util.Locale;

/**
 * maintenance_work_mem for one index build: the server's value when the estimated graph fits, else
 * raised (SET in the building session only) to the estimate plus a margin, but never above the bound.
 *
 * <p>The bound, an interim rule until pgbox has a RAM planner: the RAM pgbox plans PostgreSQL for
 * (the machine's RAM, or POSTGRES_MEMORY, times POSTGRES_RAM_SHARE) minus shared_buffers minus a share
 * for connections (max_connections x work_mem: every connection sorting at once). A build is never given
 * less than the server's own maintenance_work_mem.
 *
 * @param serverBytes the server's maintenance_work_mem
 * @param estimateBytes the build's estimated memory ({@link IndexSize})
 * @param neededBytes the estimate plus {@value #MARGIN_PERCENT}%, rounded up to whole MB
 * @param boundBytes the most a build may be given
 * @param boundRule how the bound was computed, in words
 * @param useBytes what the build runs with
 * @param raised whether useBytes is above the server's value
 * @param fits whether the estimate fits in useBytes
 */
public record BuildMemory(long serverBytes, long estimateBytes, long neededBytes, long boundBytes, String boundRule, long useBytes,
                          boolean raised, boolean fits) {
    public static final int MARGIN_PERCENT = 15;

    /** The bound: planned RAM minus shared_buffers minus connections x work_mem, at least 0. */
    public static long bound(long plannedRam, long sharedBuffers, int maxConnections, long workMem) {
        return Math.max(0, plannedRam - sharedBuffers - (long) maxConnections * workMem);
    }

    /** The bound's rule with its numbers. */
    public static String boundRule(long plannedRam, String ramSource, long sharedBuffers, int maxConnections, long workMem) {
        return String.format(Locale.ROOT, "%s planned RAM (%s) - %s shared_buffers - %d connections x %s work_mem"
                        + " (interim rule until the RAM planner)", Size.human(plannedRam), ramSource, Size.human(sharedBuffers),
                maxConnections, Size.human(workMem));
    }

    public static BuildMemory decide(long serverBytes, long estimateBytes, long boundBytes, String boundRule) {
        long withMargin = estimateBytes + estimateBytes * MARGIN_PERCENT / 100;
        long needed = (withMargin + Size.MB - 1) / Size.MB * Size.MB;
        if (needed <= serverBytes) {
            return new BuildMemory(serverBytes, estimateBytes, needed, boundBytes, boundRule, serverBytes, false, true);
        }
        if (needed <= boundBytes) {
            return new BuildMemory(serverBytes, estimateBytes, needed, boundBytes, boundRule, needed, true, true);
        }
        // the bound is whole MB so SET accepts it; never below what the server already gives every build
        long capped = Math.max(serverBytes, boundBytes / Size.MB * Size.MB);
        return new BuildMemory(serverBytes, estimateBytes, needed, boundBytes, boundRule, capped, capped > serverBytes,
                estimateBytes <= capped);
    }

    /** One line saying what was decided. */
    public String describe() {
        String est = "the build needs about " + Size.human(estimateBytes);
        if (!raised && fits) {
            return est + ": fits the server's maintenance_work_mem " + Size.format(serverBytes);
        }
        if (raised && neededBytes == useBytes) {
            return est + ": maintenance_work_mem raised for this build from " + Size.format(serverBytes) + " to " + Size.format(useBytes)
                    + " (bound " + Size.human(boundBytes) + " = " + boundRule + ")";
        }
        return est + ", more than the bound " + Size.human(boundBytes) + " (" + boundRule + "): building with maintenance_work_mem "
                + Size.format(useBytes) + "; pgvector builds the part of an HNSW graph that does not fit on disk (slower), an IVFFlat build fails";
    }
}
