/**
 * Safetensors checkpoints: one file ({@link io.lem.runner.model.safetensors.SafetensorsFile}, privately memory-mapped,
 * header validated), shards ({@link io.lem.runner.model.safetensors.ShardedWeights}), the choice between them
 * ({@link io.lem.runner.model.safetensors.WeightStores}), F32/F16/BF16 conversion to float32
 * ({@link io.lem.runner.model.safetensors.HalfFloats}) and a streaming writer
 * ({@link io.lem.runner.model.safetensors.SafetensorsWriter}).
 */
package io.lem.runner.model.safetensors;
