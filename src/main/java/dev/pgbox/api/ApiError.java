package dev.pgbox.api;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.util.Locale;

/**
 * The JSON body of every failed call, {@code {"error": {"code", "message", "cause", "fix"}}}, and its
 * HTTP status. A PgboxException's code is its ErrorKind in lowercase (usage, not_found, sql,
 * not_running, ...), the same kinds the CLI's exit codes stand for (docs/errors.md).
 */
record ApiError(int status, Body error) {
    /** The error object; cause and fix are left out when there is none. */
    record Body(String code, String message, String cause, String fix) {
    }

    /** The answer to anything a handler threw. */
    static ApiError of(Throwable t) {
        if (t instanceof ApiException e) {
            return new ApiError(e.status(), new Body(e.code(), e.getMessage(), null, e.fix()));
        }
        if (t instanceof PgboxException e) {
            return new ApiError(status(e.kind()), new Body(e.kind().name().toLowerCase(Locale.ROOT), e.what(), e.reason(), e.fix()));
        }
        if (t instanceof UnsupportedOperationException) {
            return new ApiError(501, new Body("not_implemented", "this operation is not built yet", t.getMessage(),
                    "update pgbox"));
        }
        return new ApiError(500, new Body("internal", "the agent failed to serve the call", t.toString(),
                "see the agent's log (pgbox status shows where it is)"));
    }

    /** The HTTP status of each kind of pgbox error. */
    static int status(ErrorKind kind) {
        return switch (kind) {
            case USAGE, CONFIG -> 400;
            case NOT_FOUND -> 404;
            case NOT_RUNNING, TIMEOUT -> 503;
            default -> 500;
        };
    }
}
