package io.lem.aggregator.model;

import java.nio.charset.StandardCharsets;

/** Reads what {@link BinWriter} wrote; throws {@link SummaryFormatException} on truncated or corrupt input. */
final class BinReader {
    private final byte[] buf;
    private int pos;
    private final int end;

    BinReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    BinReader(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    /** Whether bytes remain: fields appended to a format later are read only when present. */
    boolean hasMore() {
        return pos < end;
    }

    private void need(int n) {
        if (n < 0 || pos + n > end) {
            throw new SummaryFormatException("truncated summary record (need " + n + " bytes at " + pos + ")");
        }
    }

    int u8() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    boolean bool() {
        return u8() != 0;
    }

    long uvar() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            need(1);
            byte b = buf[pos++];
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new SummaryFormatException("malformed varint at " + pos);
    }

    long svar() {
        long v = uvar();
        return (v >>> 1) ^ -(v & 1);
    }

    int uvarInt() {
        long v = uvar();
        if (v > Integer.MAX_VALUE) {
            throw new SummaryFormatException("length out of range: " + v);
        }
        return (int) v;
    }

    int svarInt() {
        return (int) svar();
    }

    double f64() {
        return Double.longBitsToDouble(i64());
    }

    long i64() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    Double optF64() {
        return bool() ? f64() : null;
    }

    String str() {
        int len = uvarInt();
        if (len == 0) {
            return null;
        }
        len--;
        need(len);
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    byte[] bytes() {
        int len = uvarInt();
        if (len == 0) {
            return null;
        }
        len--;
        need(len);
        byte[] out = new byte[len];
        System.arraycopy(buf, pos, out, 0, len);
        pos += len;
        return out;
    }

    boolean atEnd() {
        return pos >= end;
    }
}
