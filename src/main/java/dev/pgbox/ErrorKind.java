package dev.pgbox;

/**
 * One exit code per kind of failure, so scripts can tell them apart. Documented in docs/errors.md;
 * 0 is success, 1 an unexpected failure and 2 a usage error (picocli's convention).
 */
public enum ErrorKind {
    FAILURE(1, "unexpected failure"),
    USAGE(2, "wrong command-line arguments"),
    CONFIG(3, "invalid setting or .env file"),
    NOT_RUNNING(4, "the server is not running"),
    PORT_IN_USE(5, "the configured port is taken by another process"),
    INSTALL_REQUIRED(6, "packages are missing and pgbox cannot install them"),
    PERMISSION(7, "wrong owner, missing OS user or unreachable folder"),
    SQL(8, "the server rejected a SQL statement"),
    TOOL_FAILED(9, "an external tool (initdb, pg_ctl, apt-get, ...) failed"),
    TIMEOUT(10, "an operation did not finish in time"),
    FINDINGS(11, "an audit or test found high-severity problems"),
    NOT_FOUND(12, "the named collection, memory or other object does not exist");

    private final int exitCode;
    private final String meaning;

    ErrorKind(int exitCode, String meaning) {
        this.exitCode = exitCode;
        this.meaning = meaning;
    }

    public int exitCode() {
        return exitCode;
    }

    public String meaning() {
        return meaning;
    }
}
