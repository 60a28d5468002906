package dev.pgbox.api;

/**
 * An error of the HTTP layer itself (no token, bad JSON, unknown route, a body too large), with the
 * HTTP status and the JSON error code it answers with. Errors of the work are PgboxExceptions.
 */
final class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final String fix;

    ApiException(int status, String code, String message, String fix) {
        super(message);
        this.status = status;
        this.code = code;
        this.fix = fix;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    String fix() {
        return fix;
    }

    static ApiException badRequest(String code, String message, String fix) {
        return new ApiException(400, code, message, fix);
    }
}
