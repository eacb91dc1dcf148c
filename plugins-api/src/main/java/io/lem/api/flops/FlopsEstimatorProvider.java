package io.lem.api.flops;

import io.lem.api.plugin.LemPlugin;
import io.lem.api.plugin.PluginException;
import io.lem.api.plugin.PluginKind;

import java.util.List;

/** A plugin that estimates FLOPs; register it in {@code META-INF/services/io.lem.api.flops.FlopsEstimatorProvider}. */
public interface FlopsEstimatorProvider extends LemPlugin {

    @Override
    default PluginKind kind() {
        return PluginKind.FLOPS;
    }

    /** Method names this provider computes, e.g. {@code parameter}, {@code architecture-dense}. */
    List<String> methods();

    /** An estimator for the model; throws with the list of supported model types when it cannot handle it. */
    FlopsEstimator forModel(ModelArchitecture model) throws PluginException;
}
