package io.lem.runner.model.weights;

import java.io.IOException;
import java.util.Set;

/**
 * The tensors of a checkpoint (one safetensors file or several shards), read on demand. Implementations validate
 * headers when opened and fail with messages naming the file and tensor.
 */
public interface WeightStore extends AutoCloseable {

    Set<String> names();

    /** Metadata of a tensor; throws IllegalArgumentException naming the tensor and the file when absent. */
    TensorInfo info(String name);

    default boolean contains(String name) {
        return names().contains(name);
    }

    /** The tensor's values converted to float32, row-major. */
    float[] floats(String name) throws IOException;

    @Override
    void close() throws IOException;
}
