package io.lem.plugins.flops;

import io.lem.api.flops.FlopsEstimator;
import io.lem.api.flops.FlopsEstimatorProvider;
import io.lem.api.flops.ModelArchitecture;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginException;

import java.util.List;

/**
 * The built-in FLOPs plugin: {@code parameter}, {@code architecture-dense} and {@code architecture-causal} from
 * {@code config.json} alone. {@code counted} is the engine's, not this plugin's.
 */
public final class AnalyticFlopsProvider implements FlopsEstimatorProvider {

    /** For {@link java.util.ServiceLoader}. */
    public AnalyticFlopsProvider() {
    }

    @Override
    public String name() {
        return "flops";
    }

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public int rank() {
        return 50;
    }

    @Override
    public String description() {
        return "analytic FLOPs and MACs from config.json (" + String.join(", ", FlopsMethod.labels()) + ") for "
                + String.join(", ", HfConfig.SUPPORTED_MODEL_TYPES) + " and the encoder-decoders "
                + String.join(", ", HfConfig.ENCODER_DECODER_MODEL_TYPES);
    }

    /** Pure arithmetic: always available. */
    @Override
    public Availability probe(PluginContext context) {
        return Availability.yes();
    }

    @Override
    public List<String> methods() {
        return FlopsMethod.labels();
    }

    @Override
    public FlopsEstimator forModel(ModelArchitecture model) throws PluginException {
        try {
            if (HfConfig.isEncoderDecoder(model)) {
                return new AnalyticFlopsEstimator(new EncoderDecoderMath(HfConfig.encoderDecoderShapeOf(model)));
            }
            return new AnalyticFlopsEstimator(new ArchitectureMath(HfConfig.shapeOf(model)));
        } catch (IllegalArgumentException e) {
            throw new PluginException("flops: " + e.getMessage(), e);
        }
    }
}
