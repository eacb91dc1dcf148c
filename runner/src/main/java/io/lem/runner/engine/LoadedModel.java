package io.lem.runner.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.lem.runner.config.FpPrecision;
import io.lem.runner.model.CausalLm;
import io.lem.runner.model.ModelInfo;

/**
 * A model on its device, ready to generate. Closing it frees every device tensor it owns (weights, RoPE tables);
 * batch states must be closed first.
 */
public final class LoadedModel implements AutoCloseable {

    private final CausalLm model;
    private final NDManager manager;
    private final Device device;
    private final FpPrecision precision;
    private boolean closed;

    LoadedModel(CausalLm model, NDManager manager, Device device, FpPrecision precision) {
        this.model = model;
        this.manager = manager;
        this.device = device;
        this.precision = precision;
    }

    public CausalLm model() {
        return model;
    }

    public ModelInfo info() {
        return model.info();
    }

    public Device device() {
        return device;
    }

    public FpPrecision precision() {
        return precision;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
