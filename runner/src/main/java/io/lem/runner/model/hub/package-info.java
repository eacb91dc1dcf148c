/**
 * Model resolution: a local directory as is, or a HuggingFace hub id through the cache shared with Python
 * ({@link io.lem.runner.model.hub.ModelResolver}), configured from the environment
 * ({@link io.lem.runner.model.hub.HubSettings}: HF_ENDPOINT, HF_TOKEN, HF_HUB_CACHE/HF_HOME, HF_HUB_OFFLINE).
 */
package io.lem.runner.model.hub;
