package dev.pgbox.agent;

import dev.pgbox.cluster.Layout;
import dev.pgbox.config.Settings;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The agent's process, as the front ends knew it before it moved next to its component: each method
 * hands over to {@link dev.pgbox.component.AgentProcess}. Kept so callers can move at their own pace.
 */
public final class AgentProcess {
    private AgentProcess() {
    }

    public static Path pidFile(Layout l) {
        return dev.pgbox.component.AgentProcess.pidFile(l);
    }

    public static Path logFile(Layout l) {
        return dev.pgbox.component.AgentProcess.logFile(l);
    }

    public static OptionalLong running(Layout l) {
        return dev.pgbox.component.AgentProcess.running(l);
    }

    public static long ensureStarted(Settings s, Layout l) {
        return dev.pgbox.component.AgentProcess.ensureStarted(s, l);
    }

    public static boolean stop(Layout l) {
        return dev.pgbox.component.AgentProcess.stop(l);
    }
}
