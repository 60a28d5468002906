package dev.pgbox.service;

import java.util.List;

/**
 * What {@code pgbox stop} did.
 *
 * @param pid the postmaster's PID before the stop
 * @param actions what each component did, in component order ("fast shutdown", "agent stopped")
 */
public record StopReport(long pid, List<String> actions) {
}
