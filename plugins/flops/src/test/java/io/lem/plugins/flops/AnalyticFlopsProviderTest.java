package io.lem.plugins.flops;

import io.lem.api.flops.BatchWork;
import io.lem.api.flops.FlopsCount;
import io.lem.api.flops.FlopsEstimator;
import io.lem.api.flops.FlopsEstimatorProvider;
import io.lem.api.flops.ModelArchitecture;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginException;
import io.lem.api.plugin.PluginKind;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AnalyticFlopsProviderTest {

    private final AnalyticFlopsProvider provider = new AnalyticFlopsProvider();

    @Test
    void isFoundByServiceLoaderAndAlwaysAvailable() {
        assertThat(ServiceLoader.load(FlopsEstimatorProvider.class).stream().map(ServiceLoader.Provider::get))
                .anySatisfy(p -> {
                    assertThat(p.name()).isEqualTo("flops");
                    assertThat(p.kind()).isEqualTo(PluginKind.FLOPS);
                });
        assertThat(provider.probe(PluginContext.local("h")).available()).isTrue();
        assertThat(provider.methods()).containsExactly("parameter", "architecture-dense", "architecture-causal");
    }

    @Test
    void unsupportedModelIsAPluginExceptionListingSupportedTypes() {
        assertThatThrownBy(() -> provider.forModel(new ModelArchitecture("bert", Map.of("hidden_size", 768))))
                .isInstanceOf(PluginException.class)
                .hasMessageContaining("'bert'")
                .hasMessageContaining("gpt2, llama, mistral, qwen2");
    }

    @Test
    void estimatesEveryMethodWithBreakdownSummingToTotal() throws PluginException {
        FlopsEstimator estimator = provider.forModel(TinyConfigs.architecture(TinyConfigs.LLAMA));
        BatchWork batch = new BatchWork(List.of(5, 7), List.of(4, 2));

        for (String method : provider.methods()) {
            FlopsCount count = estimator.estimate(method, batch);
            assertThat(count.method()).isEqualTo(method);
            assertThat(count.flops()).isEqualTo(2 * count.macs());
            assertThat(count.breakdown().values().stream().mapToDouble(Double::doubleValue).sum())
                    .isEqualTo(count.flops());
        }
    }

    @Test
    void unknownMethodSaysWhichExist() throws PluginException {
        FlopsEstimator estimator = provider.forModel(TinyConfigs.architecture(TinyConfigs.GPT2));

        assertThatThrownBy(() -> estimator.estimate("counted", new BatchWork(List.of(1), List.of(1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parameter, architecture-dense, architecture-causal");
    }
}
