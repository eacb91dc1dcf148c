package io.lem.aggregator.http;

import java.util.Map;

/**
 * A request that cannot be answered with results: carries the HTTP status and a message for the JSON error body.
 * {@link #unavailable} marks the transient kind (rebalance, restoring store, owner unreachable): 503 with
 * {@code Retry-After: 1}.
 */
final class QueryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Map<String, Object> details;

    QueryException(int status, String message, Map<String, Object> details) {
        super(message);
        this.status = status;
        this.details = details == null ? Map.of() : details;
    }

    static QueryException unavailable(String message) {
        return new QueryException(503, message, Map.of());
    }

    static QueryException notFound(String message, Map<String, Object> details) {
        return new QueryException(404, message, details);
    }

    int status() {
        return status;
    }

    Map<String, Object> details() {
        return details;
    }
}
