package io.lem.runner.model.safetensors;

import io.lem.runner.model.weights.WeightStore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * A {@link WeightStore} backed by safetensors files, with two extra ways to read a tensor that avoid a float[] copy.
 */
public interface SafetensorsStore extends WeightStore {

    /**
     * Converts the tensor to float32 and puts its values into {@code dst} at its position (which advances). Use this
     * to fill a direct buffer handed to DJL without an intermediate {@code float[]}; works for tensors of any size.
     *
     * @throws IllegalArgumentException when absent or {@code dst} has fewer than elementCount remaining
     */
    void readInto(String name, FloatBuffer dst) throws IOException;

    /**
     * The tensor's stored bytes, little-endian, positioned at 0. Writing into the buffer never reaches the file and
     * never faults: it is a slice of a private (copy-on-write) mapping, or a fresh copy when the file could only be
     * opened read-only. At most {@code Integer.MAX_VALUE} bytes.
     */
    ByteBuffer rawBytes(String name) throws IOException;

    /** The {@code __metadata__} of the file(s), e.g. {@code format=pt}; empty when absent. */
    Map<String, String> metadata();

    /**
     * Tensors present in the file(s) whose dtype lem does not convert (I64, U8, BOOL, F8_*, ...), name to dtype. They
     * are validated like every other tensor but are not in {@link #names()}.
     */
    Map<String, String> unsupportedTensors();
}
