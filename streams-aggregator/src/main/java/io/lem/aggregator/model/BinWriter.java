package io.lem.aggregator.model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer with the few primitives the summary formats need: zig-zag LEB128 varints for integers (small
 * counts cost one byte), raw IEEE doubles, length-prefixed UTF-8 strings and byte blobs. Not thread-safe; one per
 * encode call.
 */
final class BinWriter {
    private byte[] buf;
    private int pos;

    BinWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int extra) {
        int needed = pos + extra;
        if (needed > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(needed, buf.length * 2));
        }
    }

    void u8(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
    }

    void bool(boolean b) {
        u8(b ? 1 : 0);
    }

    /** Unsigned varint; {@code v} must be >= 0 or it costs ten bytes. */
    void uvar(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    /** Signed varint (zig-zag). */
    void svar(long v) {
        uvar((v << 1) ^ (v >> 63));
    }

    void f64(double d) {
        ensure(8);
        long bits = Double.doubleToRawLongBits(d);
        for (int i = 7; i >= 0; i--) {
            buf[pos++] = (byte) (bits >>> (i * 8));
        }
    }

    /** A fixed 8-byte big-endian long, for fields read without parsing the rest (e.g. the update counter). */
    void i64(long v) {
        ensure(8);
        for (int i = 7; i >= 0; i--) {
            buf[pos++] = (byte) (v >>> (i * 8));
        }
    }

    /** A nullable double: a presence byte, then the value. */
    void optF64(Double d) {
        bool(d != null);
        if (d != null) {
            f64(d);
        }
    }

    /** A nullable string. */
    void str(String s) {
        if (s == null) {
            uvar(0);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        uvar(b.length + 1L);
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    /** A nullable byte blob. */
    void bytes(byte[] b) {
        bytes(b, 0, b == null ? 0 : b.length);
    }

    void bytes(byte[] b, int offset, int length) {
        if (b == null) {
            uvar(0);
            return;
        }
        uvar(length + 1L);
        ensure(length);
        System.arraycopy(b, offset, buf, pos, length);
        pos += length;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }
}
