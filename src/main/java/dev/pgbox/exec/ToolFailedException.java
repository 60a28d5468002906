package dev.pgbox.exec;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;

/** An external program exited non-zero (or timed out) where that means failure. */
public class ToolFailedException extends PgboxException {
    private final transient ProcessResult result;

    public ToolFailedException(ProcessResult result, String what, String fix) {
        super(ErrorKind.TOOL_FAILED,
                what + ": " + result.command().name() + " exited " + result.exitCode()
                        + " after " + seconds(result.elapsed()),
                result.tail(4), fix);
        this.result = result;
    }

    public ToolFailedException(Command command, String what, String cause, String fix, ErrorKind kind) {
        super(kind, what, cause, fix);
        this.result = null;
    }

    public ProcessResult result() {
        return result;
    }

    static String seconds(java.time.Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
}
