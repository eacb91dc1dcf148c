package io.lem.runner.measure;

import io.lem.api.flops.BatchWork;
import io.lem.api.flops.FlopsCount;
import io.lem.api.flops.FlopsEstimator;
import io.lem.api.flops.FlopsEstimatorProvider;
import io.lem.api.flops.ModelArchitecture;
import io.lem.api.plugin.PluginException;
import io.lem.runner.plugins.DiscoveredPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The FLOPs methods of one model: for every selected provider (by rank) that can handle the model, its methods; a
 * method offered by two providers is computed by the first. {@value ProcessMeasurement#COUNTED_METHOD} is the
 * engine's and never taken from a provider. Everything that can go wrong with a provider is logged once and the
 * provider (or the method) is left out; a FLOPs estimate never fails a run.
 */
final class FlopsEstimators {

    private static final Logger log = LoggerFactory.getLogger(FlopsEstimators.class);

    /** A method and the estimator that computes it. */
    record Method(String name, DiscoveredPlugin plugin, FlopsEstimator estimator) {
    }

    /** A FLOPs estimate of one method for one batch. */
    record Estimate(String method, FlopsCount count) {
    }

    private final List<Method> methods;
    private final List<DiscoveredPlugin> used;
    private final Set<String> failedMethods = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private FlopsEstimators(List<Method> methods, List<DiscoveredPlugin> used) {
        this.methods = List.copyOf(methods);
        this.used = List.copyOf(used);
    }

    static FlopsEstimators none() {
        return new FlopsEstimators(List.of(), List.of());
    }

    /** Asks each provider for an estimator of {@code model}; providers that cannot are logged and left out. */
    static FlopsEstimators of(List<DiscoveredPlugin> providers, ModelArchitecture model) {
        Map<String, Method> byName = new LinkedHashMap<>();
        List<DiscoveredPlugin> used = new ArrayList<>();
        for (DiscoveredPlugin plugin : providers) {
            FlopsEstimatorProvider provider = plugin.flops();
            FlopsEstimator estimator;
            List<String> offered;
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(plugin.classLoader());
            try {
                offered = provider.methods();
                estimator = provider.forModel(model);
            } catch (PluginException e) {
                log.warn("flops plugin {} is not used: {}", plugin.name(), oneLine(e.getMessage()));
                continue;
            } catch (RuntimeException | LinkageError e) {
                log.warn("flops plugin {} is not used: it failed on model_type '{}': {}", plugin.name(),
                        model.modelType(), GuardedSource.describe(e), e);
                continue;
            } finally {
                thread.setContextClassLoader(previous);
            }
            if (estimator == null || offered == null) {
                log.warn("flops plugin {} is not used: it returned no estimator or no methods", plugin.name());
                continue;
            }
            boolean contributes = false;
            for (String method : new LinkedHashSet<>(offered)) {
                if (method == null || method.isBlank()) {
                    continue;
                }
                if (ProcessMeasurement.COUNTED_METHOD.equals(method)) {
                    log.warn("flops plugin {} offers method '{}', which is the engine's own count: ignored",
                            plugin.name(), method);
                    continue;
                }
                Method earlier = byName.get(method);
                if (earlier != null) {
                    log.info("flops method {} comes from plugin {} (higher rank); plugin {} also offers it",
                            method, earlier.plugin().name(), plugin.name());
                    continue;
                }
                byName.put(method, new Method(method, plugin, estimator));
                contributes = true;
            }
            if (contributes) {
                used.add(plugin);
            }
        }
        FlopsEstimators result = new FlopsEstimators(new ArrayList<>(byName.values()), used);
        log.debug("flops methods for model_type '{}': {}", model.modelType(), result.methodNames());
        return result;
    }

    List<String> methodNames() {
        return methods.stream().map(Method::name).toList();
    }

    /** Providers that compute at least one method. */
    List<DiscoveredPlugin> plugins() {
        return used;
    }

    /** Each method's estimate of the batch, in method order; a method that fails is logged once and left out. */
    List<Estimate> estimate(BatchWork batch) {
        List<Estimate> result = new ArrayList<>(methods.size());
        for (Method m : methods) {
            FlopsCount count;
            try {
                count = m.estimator().estimate(m.name(), batch);
            } catch (RuntimeException | LinkageError e) {
                failed(m, GuardedSource.describe(e));
                continue;
            }
            if (count == null || !finiteNonNegative(count.flops()) || !finiteNonNegative(count.macs())) {
                failed(m, "it returned " + count);
                continue;
            }
            result.add(new Estimate(m.name(), count));
        }
        return result;
    }

    private void failed(Method m, String why) {
        if (failedMethods.add(m.name())) {
            log.warn("flops method {} of plugin {} failed; batches it fails on get no {} estimate (logged once): {}",
                    m.name(), m.plugin().name(), m.name(), why);
        }
    }

    static boolean finiteNonNegative(double value) {
        return value >= 0 && !Double.isInfinite(value);
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
