package io.lem.runner.model.hub;

import java.io.IOException;

/** A model that cannot be found, fetched or opened; the message is one line meant for the user. */
public class ModelResolutionException extends IOException {

    public ModelResolutionException(String message) {
        super(message);
    }

    public ModelResolutionException(String message, Throwable cause) {
        super(message, cause);
    }
}
