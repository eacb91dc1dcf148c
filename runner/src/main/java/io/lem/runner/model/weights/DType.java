package io.lem.runner.model.weights;

/** Safetensors element types lem reads. Everything is converted to float32 on load (DJL must never see BF16). */
public enum DType {
    F32(4), F16(2), BF16(2);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }
}
