package dev.pgbox.top;

import dev.pgbox.report.Activity;
import java.util.List;

/**
 * One refresh of {@code pgbox top}: the server header and the sessions that are not idle, longest running
 * first. Rates need two samples: in the first (and in {@code --once}) they are null.
 *
 * @param at when it was taken (ISO-8601)
 * @param tps transactions (commits and rollbacks) per second over every database since the previous sample
 * @param commitsPerSecond commits per second since the previous sample
 * @param cacheHitPercent share of block reads served from shared buffers (since the previous sample, or
 *                        since the statistics began for the first)
 * @param sessionsShown sessions not idle (only they are listed)
 */
public record TopSnapshot(String at, String version, long uptimeSeconds, int connections, int maxConnections, Double tps,
                          Double commitsPerSecond, Double cacheHitPercent, int sessionsShown, List<Activity.Session> sessions) {
}
