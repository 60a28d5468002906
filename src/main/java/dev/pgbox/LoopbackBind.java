package dev.pgbox;

import java.io.IOException;
import java.net.BindException;

/**
 * Binding one of the agent's loopback ports (metrics, HTTP API), tried for two seconds: an agent
 * restarted with new settings may follow one that is still letting go of the port.
 */
public final class LoopbackBind {
    private static final int ATTEMPTS = 5;
    private static final long PAUSE_MILLIS = 500;

    private LoopbackBind() {
    }

    /** What binds; throws BindException while the port is taken. */
    public interface Binder<T> {
        T bind() throws IOException;
    }

    /** The bound server, or the last BindException after two seconds (or at once when interrupted). */
    public static <T> T retrying(Binder<T> binder) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return binder.bind();
            } catch (BindException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
                try {
                    Thread.sleep(PAUSE_MILLIS);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
