package io.lem.runner.model.safetensors;

import io.lem.runner.model.weights.DType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * Conversions between float32 and the 16-bit formats of safetensors checkpoints, one value at a time and in bulk.
 *
 * <p>bfloat16 is the upper half of a float32, so widening is a shift. IEEE half (F16) is widened through a 65,536-entry
 * table built once from {@link #halfToFloat}, which handles zeros, subnormals, infinities and NaNs (the payload is
 * kept). Narrowing rounds to nearest, ties to even; too large values become infinities, NaNs stay NaNs.
 */
public final class HalfFloats {

    private static final int CHUNK = 8192;
    private static final float[] HALF_TABLE = new float[1 << 16];

    static {
        for (int h = 0; h < HALF_TABLE.length; h++) {
            HALF_TABLE[h] = halfToFloat((short) h);
        }
    }

    private HalfFloats() {
    }

    /** IEEE 754 binary16 bits to float32 (exact: every half value is a float). */
    public static float halfToFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float magnitude = mant * 0x1p-24f; // subnormal: mant * 2^-24, exact in float32
            return sign != 0 ? -magnitude : magnitude;
        }
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** float32 to IEEE 754 binary16 bits, round to nearest even. */
    public static short floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xFF;
        int mant = bits & 0x7FFFFF;
        if (exp == 0xFF) {
            if (mant == 0) {
                return (short) (sign | 0x7C00);
            }
            int payload = mant >>> 13;
            return (short) (sign | 0x7C00 | (payload == 0 ? 0x200 : payload));
        }
        int e = exp - 112; // rebias 127 -> 15
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            int full = mant | 0x800000;
            int shift = 14 - e;
            int m = full >>> shift;
            int rem = full & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rem > halfway || (rem == halfway && (m & 1) != 0)) {
                m++;
            }
            return (short) (sign | m);
        }
        int half = sign | (e << 10) | (mant >>> 13);
        int rem = mant & 0x1FFF;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
            half++; // a carry into the exponent is the right answer, up to infinity
        }
        return (short) half;
    }

    public static float bf16ToFloat(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xFFFF) << 16);
    }

    /** float32 to bfloat16 bits, round to nearest even; NaNs stay (quiet) NaNs. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7F800000) == 0x7F800000 && (bits & 0x7FFFFF) != 0) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /**
     * Converts {@code count} little-endian values of {@code dtype} from {@code src} (read from its position) into
     * {@code dst[off..off+count)}.
     */
    public static void decode(DType dtype, ByteBuffer src, float[] dst, int off, int count) {
        ByteBuffer le = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32:
                le.asFloatBuffer().get(dst, off, count);
                return;
            case BF16: {
                ShortBuffer in = le.asShortBuffer();
                short[] tmp = new short[Math.min(CHUNK, count)];
                for (int done = 0; done < count; ) {
                    int n = Math.min(tmp.length, count - done);
                    in.get(tmp, 0, n);
                    int base = off + done;
                    for (int i = 0; i < n; i++) {
                        dst[base + i] = Float.intBitsToFloat(tmp[i] << 16);
                    }
                    done += n;
                }
                return;
            }
            case F16: {
                ShortBuffer in = le.asShortBuffer();
                short[] tmp = new short[Math.min(CHUNK, count)];
                float[] table = HALF_TABLE;
                for (int done = 0; done < count; ) {
                    int n = Math.min(tmp.length, count - done);
                    in.get(tmp, 0, n);
                    int base = off + done;
                    for (int i = 0; i < n; i++) {
                        dst[base + i] = table[tmp[i] & 0xFFFF];
                    }
                    done += n;
                }
                return;
            }
            default:
                throw new IllegalArgumentException("unsupported dtype " + dtype);
        }
    }

    /** Converts {@code count} values from {@code src} (from its position) and puts them into {@code dst}. */
    public static void decode(DType dtype, ByteBuffer src, FloatBuffer dst, int count) {
        if (dtype == DType.F32) {
            FloatBuffer in = src.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            in.limit(count);
            dst.put(in);
            return;
        }
        ByteBuffer in = src.duplicate();
        float[] tmp = new float[Math.min(CHUNK, count)];
        for (int done = 0; done < count; ) {
            int n = Math.min(tmp.length, count - done);
            decode(dtype, in, tmp, 0, n);
            in.position(in.position() + n * dtype.bytes());
            dst.put(tmp, 0, n);
            done += n;
        }
    }

    /** Encodes {@code values[off..off+count)} as little-endian {@code dtype} into {@code dst} at its position. */
    public static void encode(DType dtype, float[] values, int off, int count, ByteBuffer dst) {
        ByteBuffer le = dst.order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32:
                le.asFloatBuffer().put(values, off, count);
                break;
            case BF16:
                for (int i = 0; i < count; i++) {
                    le.putShort(le.position() + 2 * i, floatToBf16(values[off + i]));
                }
                break;
            case F16:
                for (int i = 0; i < count; i++) {
                    le.putShort(le.position() + 2 * i, floatToHalf(values[off + i]));
                }
                break;
            default:
                throw new IllegalArgumentException("unsupported dtype " + dtype);
        }
        le.position(le.position() + count * dtype.bytes());
    }
}
