// 2-D pooling over the last two axes of NCHW float tensors, per plane, with the semantics of the
// IR ops (dlc.ir.ops.PoolOps, MaxPoolGradOps) and dlc.runtime.Pool: window (i, j) covers rows
// i*sh-top .. i*sh-top+kh-1 and columns j*sw-left .. j*sw-left+kw-1 clipped to the plane (each
// padding is below the kernel, so every window holds a real element); padding never wins a max,
// a NaN in a window is its max, and the gradients route through the FIRST maximum of a window in
// row-major order (the first NaN when there is one). One work-item per output element; the
// gradients are gathers (each input element walks the windows that contain it, in window
// order), so nothing is accumulated with atomics and every result is the same run to run, in
// the same summation order as the JVM kernels.

// F64 (-D, optional): the tensors hold doubles (f64, or integers stored as double for max pooling).
#if F64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#define T double
#else
#define T float
#endif

#define WINDOW_ARGS const int planes, const int h, const int w, const int ho, const int wo, \
    const int kh, const int kw, const int sh, const int sw, const int top, const int left

// the flat index (within the plane) of the first maximum of window (i, j)
inline int first_max(__global const T* x, const int h, const int w, const int kh, const int kw,
                     const int sh, const int sw, const int top, const int left, const int i, const int j) {
    const int h0 = i * sh - top, w0 = j * sw - left;
    const int h1 = min(h0 + kh, h), w1 = min(w0 + kw, w);
    int best = -1;
    T acc = -INFINITY;
    for (int a = max(h0, 0); a < h1; a++)
        for (int b = max(w0, 0); b < w1; b++) {
            const T v = x[a * w + b];
            // strict > keeps the first maximum; the first NaN wins and stays
            if (best < 0 || (!isnan(acc) && (v > acc || isnan(v)))) {
                best = a * w + b;
                acc = v;
            }
        }
    return best;
}

__kernel void max_pool2d(__global const T* X, const ulong offX, __global T* Y, const ulong offY, WINDOW_ARGS) {
    const int t = get_global_id(0);
    if (t >= planes * ho * wo) return;
    const int pl = t / (ho * wo), r = t % (ho * wo), i = r / wo, j = r % wo;
    __global const T* x = X + offX + (size_t) pl * h * w;
    const int h0 = i * sh - top, w0 = j * sw - left, h1 = min(h0 + kh, h), w1 = min(w0 + kw, w);
    T acc = -INFINITY;
    for (int a = max(h0, 0); a < h1; a++)
        for (int b = max(w0, 0); b < w1; b++) {
            const T v = x[a * w + b];
            if (v > acc || isnan(v)) acc = v; // once acc is NaN only a NaN replaces it
        }
    Y[offY + t] = acc;
}

// include_pad != 0: divide by kh*kw; else by the window's real elements
__kernel void avg_pool2d(__global const T* X, const ulong offX, __global T* Y, const ulong offY, WINDOW_ARGS,
                         const int include_pad) {
    const int t = get_global_id(0);
    if (t >= planes * ho * wo) return;
    const int pl = t / (ho * wo), r = t % (ho * wo), i = r / wo, j = r % wo;
    __global const T* x = X + offX + (size_t) pl * h * w;
    const int h0 = max(i * sh - top, 0), w0 = max(j * sw - left, 0);
    const int h1 = min(i * sh - top + kh, h), w1 = min(j * sw - left + kw, w);
    T acc = 0.0f;
    for (int a = h0; a < h1; a++)
        for (int b = w0; b < w1; b++) acc += x[a * w + b];
    Y[offY + t] = acc / (T) (include_pad ? kh * kw : (h1 - h0) * (w1 - w0));
}

// max_pool2d_gather(x, src [N, C, H, W]) -> y [N, C, Ho, Wo]: src at each window's first maximum
__kernel void max_pool2d_gather(__global const T* X, const ulong offX, __global const T* S, const ulong offS,
                                __global T* Y, const ulong offY, WINDOW_ARGS) {
    const int t = get_global_id(0);
    if (t >= planes * ho * wo) return;
    const int pl = t / (ho * wo), r = t % (ho * wo), i = r / wo, j = r % wo;
    const size_t plane = (size_t) pl * h * w;
    Y[offY + t] = S[offS + plane + first_max(X + offX + plane, h, w, kh, kw, sh, sw, top, left, i, j)];
}

// the windows (i, j) that contain element (a, b): i*sh - top <= a <= i*sh - top + kh - 1, so
// i >= ceil((a + top - kh + 1) / sh), written floor((a + top - kh + sh) / sh); where that
// numerator is negative C's truncating division gives a value between the floor and 0, but the bound is
// then below 0 and clamped to 0 either way
#define WINDOW_RANGE(a, b) \
    const int i_lo = max(0, (a + top - kh + sh) / sh), i_hi = min(ho - 1, (a + top) / sh); \
    const int j_lo = max(0, (b + left - kw + sw) / sw), j_hi = min(wo - 1, (b + left) / sw);

// max_pool2d_scatter(x, g [N, C, Ho, Wo]) -> y [N, C, H, W]: the sum of g over the windows
// whose first maximum is this element (0 for the others), in window order
__kernel void max_pool2d_scatter(__global const T* X, const ulong offX, __global const T* G, const ulong offG,
                                 __global T* Y, const ulong offY, WINDOW_ARGS) {
    const int t = get_global_id(0);
    if (t >= planes * h * w) return;
    const int pl = t / (h * w), r = t % (h * w), a = r / w, b = r % w;
    __global const T* x = X + offX + (size_t) pl * h * w;
    __global const T* g = G + offG + (size_t) pl * ho * wo;
    WINDOW_RANGE(a, b)
    T acc = 0.0f;
    for (int i = i_lo; i <= i_hi; i++)
        for (int j = j_lo; j <= j_hi; j++)
            if (first_max(x, h, w, kh, kw, sh, sw, top, left, i, j) == r) acc += g[i * wo + j];
    Y[offY + t] = acc;
}

// avg_pool2d's input gradient: gx[a, b] = sum over the windows containing (a, b) of g / count
__kernel void avg_pool2d_grad(__global const T* G, const ulong offG, __global T* Y, const ulong offY, WINDOW_ARGS,
                              const int include_pad) {
    const int t = get_global_id(0);
    if (t >= planes * h * w) return;
    const int pl = t / (h * w), r = t % (h * w), a = r / w, b = r % w;
    __global const T* g = G + offG + (size_t) pl * ho * wo;
    WINDOW_RANGE(a, b)
    T acc = 0.0f;
    for (int i = i_lo; i <= i_hi; i++) {
        const int h0 = i * sh - top;
        for (int j = j_lo; j <= j_hi; j++) {
            const int w0 = j * sw - left;
            const int count = include_pad ? kh * kw : (min(h0 + kh, h) - max(h0, 0)) * (min(w0 + kw, w) - max(w0, 0));
            acc += g[i * wo + j] / (T) count;
        }
    }
    Y[offY + t] = acc;
}
