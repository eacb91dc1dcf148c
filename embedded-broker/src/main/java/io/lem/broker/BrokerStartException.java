package io.lem.broker;

/** The embedded broker could not start; the message names the cause (port in use, unusable data dir, ...). */
public class BrokerStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BrokerStartException(String message) {
        super(message);
    }

    public BrokerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
