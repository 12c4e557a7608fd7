// The counter-based random number generator of dlc.numerics.Rng, ported bit for bit: draw i of
// stream `key` depends only on the key and i, so every work-item computes its own element.
//   mix(key, c):  splitmix64's finalizer of key * 0x9E3779B97F4A7C15 + (c + 1) * 0xD1B54A32D192ED03
//   uniform(key, i) = (mix(key, i) >> 40) * 2^-24            (24 random bits, exact in float)
//   normal(key, i)  = sqrt(-2 ln(1 - uniform(key, 2i))) * cos(2 pi uniform(key, 2i + 1))
//   fold(key, salt) = mix(key, salt) & (2^52 - 1)
// ulong arithmetic wraps modulo 2^64 and >> on ulong is logical, as Java's long * and >>> are.
// Draws are computed in double and rounded once to OUT_T, as the JVM backend does, and
// FP_CONTRACT is off so that low + scale * u is not fused into an fma (Java rounds twice).
// Keys are stored as doubles (the JVM backend's i64 storage) and must be integers in [0, 2^52):
// a kernel given any other key writes NaN to every output, where the JVM backend throws.
//
// Build-time parameter (-D): OUT_T, the element type of random_uniform/random_normal's output.

#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#pragma OPENCL FP_CONTRACT OFF

#define KEY_LIMIT 4503599627370496.0 /* 2^52 */

inline ulong dlc_mix(ulong key, ulong counter) {
    ulong z = key * 0x9E3779B97F4A7C15UL + (counter + 1UL) * 0xD1B54A32D192ED03UL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}

inline double dlc_uniform(ulong key, ulong i) { return (double) (dlc_mix(key, i) >> 40) * 0x1p-24; }

inline double dlc_normal(ulong key, ulong i) {
    const double u1 = dlc_uniform(key, 2 * i), u2 = dlc_uniform(key, 2 * i + 1);
    return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
}

inline bool dlc_valid_key(double k) { return k >= 0.0 && k < KEY_LIMIT && k == rint(k); }

// out[i] = mix(key, first + i): the raw 64 bits (the host passes a checked key)
__kernel void rng_bits(const ulong key, const ulong first, __global ulong* out, const ulong outOff, const int n) {
    const int i = get_global_id(0);
    if (i < n) out[outOff + i] = dlc_mix(key, first + i);
}

// rng_fold: out = fold(keys[kOff], salt), a new key (NaN for an invalid key)
__kernel void rng_fold(__global const double* keys, const ulong kOff, const ulong salt,
                       __global double* out, const ulong outOff) {
    const double k = keys[kOff];
    out[outOff] = dlc_valid_key(k) ? (double) (dlc_mix((ulong) k, salt) & 0xFFFFFFFFFFFFFUL) : NAN;
}

// random_uniform: y[i] = low + (high - low) * uniform(key, i) for i below n
__kernel void random_uniform(__global const double* keys, const ulong kOff, const double low, const double high,
                             __global OUT_T* y, const ulong yOff, const int n) {
    const int i = get_global_id(0);
    if (i >= n) return;
    const double k = keys[kOff];
    const double scale = high - low;
    y[yOff + i] = dlc_valid_key(k) ? (OUT_T) (low + scale * dlc_uniform((ulong) k, i)) : (OUT_T) NAN;
}

// random_normal: y[i] = mean + std * normal(key, i) for i below n
__kernel void random_normal(__global const double* keys, const ulong kOff, const double mean, const double std,
                            __global OUT_T* y, const ulong yOff, const int n) {
    const int i = get_global_id(0);
    if (i >= n) return;
    const double k = keys[kOff];
    y[yOff + i] = dlc_valid_key(k) ? (OUT_T) (mean + std * dlc_normal((ulong) k, i)) : (OUT_T) NAN;
}
