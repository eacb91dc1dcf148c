package io.lem.runner.model.safetensors;

import io.lem.runner.model.weights.DType;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class HalfFloatsTest {

    @Test
    void everyHalfValueWidensExactlyAndNarrowsBackToItself() {
        for (int h = 0; h < 1 << 16; h++) {
            float f = HalfFloats.halfToFloat((short) h);
            assertThat(HalfFloats.floatToHalf(f) & 0xFFFF).as("half 0x%04x -> %s", h, f).isEqualTo(h);
        }
    }

    @Test
    void halfSpecialValues() {
        assertThat(HalfFloats.halfToFloat((short) 0x3C00)).isEqualTo(1f);
        assertThat(HalfFloats.halfToFloat((short) 0xC000)).isEqualTo(-2f);
        assertThat(HalfFloats.halfToFloat((short) 0x7BFF)).isEqualTo(65504f);
        assertThat(HalfFloats.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f); // smallest subnormal
        assertThat(HalfFloats.halfToFloat((short) 0x03FF)).isEqualTo(1023 * 0x1p-24f); // largest subnormal
        assertThat(HalfFloats.halfToFloat((short) 0x0400)).isEqualTo(0x1p-14f); // smallest normal
        assertThat(Float.floatToRawIntBits(HalfFloats.halfToFloat((short) 0x8000))).isEqualTo(0x80000000);
        assertThat(HalfFloats.halfToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(HalfFloats.halfToFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(HalfFloats.halfToFloat((short) 0x7E00)).isNaN();
        assertThat(HalfFloats.halfToFloat((short) 0x7C01)).isNaN(); // signalling-pattern NaN stays NaN
    }

    @Test
    void narrowingToHalfRoundsToNearestEven() {
        assertThat(HalfFloats.floatToHalf(65504f)).isEqualTo((short) 0x7BFF);
        assertThat(HalfFloats.floatToHalf(65519.99f)).isEqualTo((short) 0x7BFF);
        assertThat(HalfFloats.floatToHalf(65520f)).isEqualTo((short) 0x7C00); // ties to even: overflows to inf
        assertThat(HalfFloats.floatToHalf(1e10f)).isEqualTo((short) 0x7C00);
        assertThat(HalfFloats.floatToHalf(Float.NaN) & 0x7C00).isEqualTo(0x7C00);
        assertThat(HalfFloats.floatToHalf(Float.NaN) & 0x3FF).isNotZero();
        assertThat(HalfFloats.floatToHalf(0x1p-25f)).isEqualTo((short) 0); // half of the smallest subnormal: even
        assertThat(HalfFloats.floatToHalf(0x1.8p-25f)).isEqualTo((short) 1);
        assertThat(HalfFloats.floatToHalf(0x1p-26f)).isEqualTo((short) 0);
        assertThat(HalfFloats.floatToHalf(-0x1p-30f)).isEqualTo((short) 0x8000);
        assertThat(HalfFloats.floatToHalf(1f + 0x1p-11f)).isEqualTo((short) 0x3C00); // tie, even stays
        assertThat(HalfFloats.floatToHalf(1f + 3 * 0x1p-11f)).isEqualTo((short) 0x3C02); // tie, odd rounds up
        assertThat(HalfFloats.floatToHalf(1f + 0x1.2p-11f)).isEqualTo((short) 0x3C01);
        assertThat(HalfFloats.floatToHalf(0x1.ff8p-15f)).isEqualTo((short) 0x03FF); // largest subnormal, exact
        assertThat(HalfFloats.floatToHalf(0x1.ffcp-15f)).isEqualTo((short) 0x0400); // tie rounds up to normal
    }

    @Test
    void narrowingIsWithinHalfAnUlpForRandomValues() {
        Random r = new Random(1);
        for (int i = 0; i < 100_000; i++) {
            float f = (float) (r.nextGaussian() * Math.pow(2, r.nextInt(30) - 20));
            float h = HalfFloats.halfToFloat(HalfFloats.floatToHalf(f));
            float b = HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(f));
            // half an ulp of the narrow format in f's binade: 13 (half) or 16 (bfloat16) fewer mantissa bits
            if (Math.abs(f) >= 0x1p-14f && Math.abs(f) <= 65504f) {
                assertThat(Math.abs(h - f)).isLessThanOrEqualTo(Math.ulp(f) * 0x1p13f / 2);
            }
            assertThat(Math.abs(b - f)).isLessThanOrEqualTo(Math.ulp(f) * 0x1p16f / 2);
        }
    }

    @Test
    void bfloat16IsTheUpperHalfRoundedToNearestEven() {
        assertThat(HalfFloats.floatToBf16(1f)).isEqualTo((short) 0x3F80);
        assertThat(HalfFloats.bf16ToFloat((short) 0x3F80)).isEqualTo(1f);
        assertThat(HalfFloats.floatToBf16(Float.intBitsToFloat(0x3F808000))).isEqualTo((short) 0x3F80); // tie even
        assertThat(HalfFloats.floatToBf16(Float.intBitsToFloat(0x3F818000))).isEqualTo((short) 0x3F82); // tie odd
        assertThat(HalfFloats.floatToBf16(Float.intBitsToFloat(0x3F808001))).isEqualTo((short) 0x3F81);
        assertThat(HalfFloats.floatToBf16(Float.MAX_VALUE)).isEqualTo((short) 0x7F80); // rounds to infinity
        assertThat(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.NaN))).isNaN();
        assertThat(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.intBitsToFloat(0x7F800001)))).isNaN();
        assertThat(HalfFloats.floatToBf16(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xFF80);
        for (int bits = 0; bits < 1 << 16; bits++) {
            float f = HalfFloats.bf16ToFloat((short) bits);
            if (!Float.isNaN(f)) {
                assertThat(HalfFloats.floatToBf16(f) & 0xFFFF).isEqualTo(bits);
            }
        }
    }

    @Test
    void bulkDecodingMatchesTheScalarConversions() {
        int n = 20_000; // more than one internal chunk
        ByteBuffer f16 = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer bf16 = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            f16.putShort((short) (i * 7));
            bf16.putShort((short) (i * 13));
        }
        f16.flip();
        bf16.flip();
        float[] a = new float[n + 3];
        HalfFloats.decode(DType.F16, f16, a, 3, n);
        float[] b = new float[n];
        HalfFloats.decode(DType.BF16, bf16, b, 0, n);
        FloatBuffer fb = FloatBuffer.allocate(n);
        HalfFloats.decode(DType.F16, f16, fb, n);
        for (int i = 0; i < n; i++) {
            assertThat(Float.floatToRawIntBits(a[3 + i]))
                    .isEqualTo(Float.floatToRawIntBits(HalfFloats.halfToFloat((short) (i * 7))));
            assertThat(Float.floatToRawIntBits(b[i]))
                    .isEqualTo(Float.floatToRawIntBits(HalfFloats.bf16ToFloat((short) (i * 13))));
            assertThat(Float.floatToRawIntBits(fb.get(i))).isEqualTo(Float.floatToRawIntBits(a[3 + i]));
        }
        assertThat(f16.position()).as("source position untouched").isZero();
    }
}
