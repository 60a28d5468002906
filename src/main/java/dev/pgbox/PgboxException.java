package dev.pgbox;

/**
 * A failure a person can act on: what failed, the cause (the tool's own line or SQLSTATE) and the
 * fix. The CLI prints these three lines and exits with {@link ErrorKind#exitCode()}; no stack trace
 * unless --verbose.
 */
public class PgboxException extends RuntimeException {
    private final ErrorKind kind;
    private final String cause;
    private final String fix;

    public PgboxException(ErrorKind kind, String what, String cause, String fix) {
        super(what);
        this.kind = kind;
        this.cause = cause;
        this.fix = fix;
    }

    public PgboxException(ErrorKind kind, String what, String cause, String fix, Throwable source) {
        super(what, source);
        this.kind = kind;
        this.cause = cause;
        this.fix = fix;
    }

    public ErrorKind kind() {
        return kind;
    }

    public String what() {
        return getMessage();
    }

    /** The underlying reason in one line, or null. */
    public String reason() {
        return cause;
    }

    /** What the user should do, or null. */
    public String fix() {
        return fix;
    }

    /** The message as printed: {@code error: ...} then optional cause and fix lines. */
    public String render() {
        StringBuilder sb = new StringBuilder("error: ").append(getMessage());
        if (cause != null && !cause.isBlank()) {
            sb.append("\n  cause: ").append(cause.strip().replace("\n", "\n         "));
        }
        if (fix != null && !fix.isBlank()) {
            sb.append("\n  fix:   ").append(fix.strip().replace("\n", "\n         "));
        }
        return sb.toString();
    }
}
