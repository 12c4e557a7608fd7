package dlc.runtime;

/**
 * The rounding of weights stored narrow ({@code dlc compile --weights-dtype bf16|int8}): one
 * definition that the compile side (which rounds the float32 weights once, and rounds them the same
 * way for the float64 interpreter) and a model jar (which decodes them) share bit for bit.
 *
 * <ul>
 * <li>bfloat16: the top 16 bits of a float32 (sign, 8 exponent bits, 7 stored mantissa bits, so 8
 *     significant bits), rounded to nearest, ties to even; infinities stay infinite, a value past
 *     the largest bfloat16 rounds to infinity, NaN stays a (quiet) NaN with its sign.</li>
 * <li>int8, symmetric, per output channel (a column of a matmul's weight): {@code s = max|w| / 127}
 *     in float32, {@code q = clamp(rint(w / s), -127, 127)} (ties to even), value {@code q * s} in
 *     float32. An all-zero column has {@code s = 0} and every {@code q = 0} (value 0, no NaN); a
 *     column holding NaN or an infinity has no int8 form and is refused.</li>
 * </ul>
 */
public final class NarrowRounding {
    private NarrowRounding() {}

    /** The bfloat16 bits nearest to {@code f} (round to nearest, ties to even). */
    public static short bf16Bits(float f) {
        int bits = Float.floatToRawIntBits(f);
        // a NaN keeps its sign and becomes quiet: truncating a signalling NaN's low payload would give infinity
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x0040);
        // add just under half an ulp of bfloat16, plus one when the kept part is odd (ties to even);
        // a carry out of the mantissa bumps the exponent, which is exactly the rounding (up to infinity)
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** The float32 value of bfloat16 bits (exact). */
    public static float fromBf16(short bits) { return Float.intBitsToFloat((bits & 0xFFFF) << 16); }

    /** {@code f} rounded to bfloat16, as a float32. */
    public static float bf16(float f) { return fromBf16(bf16Bits(f)); }

    /** The int8 scale of a channel whose largest magnitude is {@code maxAbs}: {@code maxAbs / 127} in float32 (0 for an all-zero channel). */
    public static float int8Scale(float maxAbs) {
        if (!(maxAbs >= 0) || Float.isInfinite(maxAbs))
            throw new IllegalArgumentException("int8 needs finite weights, got a channel whose largest magnitude is " + maxAbs);
        return maxAbs / 127f;
    }

    /** The int8 code of {@code w} under scale {@code s}: {@code clamp(rint(w / s), -127, 127)}, 0 when {@code s} is 0. */
    public static byte int8(float w, float s) {
        if (Float.isNaN(w) || Float.isInfinite(w)) throw new IllegalArgumentException("int8 cannot store " + w);
        if (s == 0) return 0;
        float r = (float) Math.rint(w / s);
        return (byte) Math.max(-127, Math.min(127, (int) r));
    }

    /** The value an int8 code stands for: {@code q * s} in float32. */
    public static float fromInt8(byte q, float s) { return q * s; }
}
