package dev.pgbox.memory;

import dev.pgbox.config.Size;
import dev.pgbox.tune.RamBudget;
import java.util.Locale;

/**
 * maintenance_work_mem for one index build: the server's value when the estimated graph fits, else
 * raised (SET in the building session only) to the estimate plus a margin, but never above the bound.
 *
 * <p>The bound comes from the RAM plan ({@code pgbox plan}, {@link RamBudget#buildRoomBytes()}): the plan's
 * maintenance_work_mem line for one build plus the headroom no line of the plan claims, so a raised build still
 * keeps the box's worst case within RAM. A build is never given less than the server's own maintenance_work_mem.
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

    /** The bound: the RAM plan's room for one build. */
    public static long bound(RamBudget plan) {
        return plan.buildRoomBytes();
    }

    /** The bound's rule with its numbers. */
    public static String boundRule(RamBudget plan) {
        return String.format(Locale.ROOT, "RAM plan: %s maintenance_work_mem for a build + %s headroom of %s RAM (%s) with a worst case of %s"
                        + " (pgbox plan)", Size.human(plan.bytes("index_builds")), Size.human(Math.max(0, plan.headroomBytes())),
                Size.human(plan.ramBytes()), plan.ramSource(), Size.human(plan.worstBytes()));
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
