package io.lem.runner.model.hub;

/** The hub has no such model, or no such revision of it (or hides a private one from an unauthorised caller). */
public class ModelNotFoundException extends ModelResolutionException {

    public ModelNotFoundException(String message) {
        super(message);
    }
}
