package io.lem.runner.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.lem.runner.config.FpPrecision;
import io.lem.runner.model.CausalLm;
import io.lem.runner.model.LanguageModel;
import io.lem.runner.model.ModelInfo;
import io.lem.runner.model.Seq2SeqLm;

/**
 * A model on its device, ready to generate. Closing it frees every device tensor it owns (weights, RoPE tables);
 * batch states must be closed first.
 */
public final class LoadedModel implements AutoCloseable {

    private final LanguageModel model;
    private final NDManager manager;
    private final Device device;
    private final FpPrecision precision;
    private boolean closed;

    LoadedModel(LanguageModel model, NDManager manager, Device device, FpPrecision precision) {
        this.model = model;
        this.manager = manager;
        this.device = device;
        this.precision = precision;
    }

    /** The decoder-only model; an {@link EngineException} for an encoder-decoder model (see {@link #seq2seq()}). */
    public CausalLm model() {
        if (model instanceof CausalLm causal) {
            return causal;
        }
        throw new EngineException(model.info().modelType() + " is an encoder-decoder model: use seq2seq()");
    }

    /** The encoder-decoder model; an {@link EngineException} for a decoder-only model. */
    public Seq2SeqLm seq2seq() {
        if (model instanceof Seq2SeqLm s) {
            return s;
        }
        throw new EngineException(model.info().modelType() + " is a decoder-only model: use model()");
    }

    /** The model, whichever kind it is. */
    public LanguageModel languageModel() {
        return model;
    }

    /** True for an encoder-decoder (T5, BART) model. */
    public boolean isEncoderDecoder() {
        return model instanceof Seq2SeqLm;
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
