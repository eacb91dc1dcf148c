package io.lem.runner.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.lem.runner.config.FpPrecision;
import io.lem.runner.config.QuantizationConfig;
import io.lem.runner.model.LanguageModel;
import io.lem.runner.model.ModelFamily;
import io.lem.runner.model.ModelFamilyRegistry;
import io.lem.runner.model.weights.WeightStore;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads HuggingFace decoder-only (Llama, GPT-2) and encoder-decoder (T5, BART) models onto DJL's PyTorch engine.
 *
 * <p>Before the engine first loads this sets, unless already set: {@code ai.djl.offline=true} (natives come from the
 * {@code pytorch-native-cpu} jar, nothing is downloaded), {@code ai.djl.pytorch.num_threads} = available processors
 * (PyTorch's intra-op threads do the matmuls) and {@code ai.djl.pytorch.num_interop_threads=1} (one op at a time is
 * issued from the generation thread, so inter-op parallelism only competes for the same cores).
 *
 * <p>Refused at load with a one-line {@link EngineException}: an unsupported {@code model_type} (the message lists the
 * supported ones), bfloat16 (DJL 0.36 aborts the JVM on BFLOAT16 arrays; float16 or float32 are offered instead),
 * quantization, and a GPU that does not exist.
 */
public final class InferenceEngine {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(InferenceEngine.class);

    private static final Pattern GPU = Pattern.compile("(?:gpu|cuda)(?::(\\d+))?");

    private InferenceEngine() {
    }

    public static LoadedModel load(Map<String, Object> config, WeightStore weights, EngineOptions options) {
        refuseQuantization(options.quantization());
        DataType dtype = dtype(options.precision());
        ConfigValues values = new ConfigValues(config);
        ModelFamily family = ModelFamilyRegistry.forModelType(values.string("model_type", null));
        Engine engine = pytorch();
        Device device = device(options.device(), engine);
        if (dtype == DataType.FLOAT16 && Device.Type.CPU.equals(device.getDeviceType())) {
            log.warn("fp_precision float16 on CPU: PyTorch has no fast half-precision matmul on most CPUs; every op "
                    + "runs in float16 as asked, but expect it to be several times slower than float32 (measured "
                    + "here: ~1.8x slower decode at batch 1, ~15x slower prefill)");
        }
        NDManager manager = engine.newBaseManager(device);
        try {
            LanguageModel model = family.load(values, new WeightLoader(weights, manager, dtype), device.toString());
            return new LoadedModel(model, manager, device, options.precision());
        } catch (RuntimeException | Error e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Checks, without weights and without starting DJL, that the engine can run a config.json and the options: the
     * same one-line {@link EngineException}s as {@link #load} (model_type, sizes, rope scaling, bfloat16,
     * quantization; not the device). Returns the family that would run it.
     */
    public static String validate(Map<String, Object> config, EngineOptions options) {
        refuseQuantization(options.quantization());
        dtype(options.precision());
        ConfigValues values = new ConfigValues(config);
        ModelFamily family = ModelFamilyRegistry.forModelType(values.string("model_type", null));
        family.validate(values);
        return family.name();
    }

    /**
     * Checks the experiment's {@code is_encoder_decoder} against the checkpoint's config.json (its family: T5 and BART
     * are encoder-decoders, Llama and GPT-2 decoder-only); a one-line {@link EngineException} naming the field and the
     * value to set when they disagree. Unsupported model types fail as in {@link #load}.
     */
    public static void checkEncoderDecoder(boolean isEncoderDecoder, Map<String, Object> config) {
        ConfigValues values = new ConfigValues(config);
        String type = values.string("model_type", null);
        boolean actual = ModelFamilyRegistry.forModelType(type).encoderDecoder();
        if (actual != isEncoderDecoder) {
            throw new EngineException("is_encoder_decoder is " + isEncoderDecoder + " but the model (model_type "
                    + type + (values.has("is_encoder_decoder") ? ", is_encoder_decoder "
                    + values.flag("is_encoder_decoder", false) : "") + " in its config.json) is "
                    + (actual ? "an encoder-decoder" : "a decoder-only") + " model: set is_encoder_decoder: " + actual);
        }
    }

    /** The compute dtype of a precision; bfloat16 is refused. */
    public static DataType dtype(FpPrecision precision) {
        switch (precision) {
            case FLOAT32:
                return DataType.FLOAT32;
            case FLOAT16:
                return DataType.FLOAT16;
            case BFLOAT16:
                throw new EngineException("fp_precision bfloat16 is not supported by the DJL PyTorch engine "
                        + "(DJL 0.36 aborts on bfloat16 tensors): use float16 or float32");
            default:
                throw new EngineException("unknown fp_precision " + precision);
        }
    }

    static void refuseQuantization(QuantizationConfig q) {
        if (q.loadIn4bit() || q.loadIn8bit() || q.quantization()) {
            String which = q.loadIn4bit() ? "load_in_4bit" : q.loadIn8bit() ? "load_in_8bit" : "quantization";
            throw new EngineException("quantization_config." + which + " is not supported by lem's engine yet: "
                    + "set quantization_config.quantization: false (use fp_precision float16 to halve weight memory)");
        }
    }

    /** DJL's PyTorch engine, configured for offline use and the machine's cores. */
    public static synchronized Engine pytorch() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(Runtime.getRuntime().availableProcessors()));
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
        try {
            return Engine.getEngine("PyTorch");
        } catch (RuntimeException e) {
            throw new EngineException("cannot start DJL's PyTorch engine: " + e.getMessage(), e);
        }
    }

    /** Parses {@code cpu}, {@code gpu}, {@code gpu:N} or {@code cuda:N} and checks that the GPU exists. */
    public static Device device(String spec, Engine engine) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        Matcher m = GPU.matcher(s);
        if (!m.matches()) {
            throw new EngineException("unknown device '" + spec + "': use cpu or gpu:N");
        }
        int index = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
        int gpus = engine.getGpuCount();
        if (index >= gpus) {
            throw new EngineException("device gpu:" + index + " is not available: "
                    + (gpus == 0 ? "PyTorch sees no GPU on this machine (CPU natives or no CUDA device)"
                            : "PyTorch sees " + gpus + " GPU(s), gpu:0 to gpu:" + (gpus - 1))
                    + "; use device cpu");
        }
        return Device.gpu(index);
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
