// 2-D convolution, NCHW, as an implicit GEMM: the tiled loop of sgemm.cl with its two operands
// read through index functions of the convolution instead of from matrices, so no im2col
// matrix is ever stored. Semantics of the IR ops (dlc.ir.ops.ConvOps): cross-correlation,
// stride [sh, sw], padding top/left (bottom/right only shape the output), dilation [dh, dw],
// groups. One work-group computes a TSM x TSN tile of one group's GEMM; get_group_id(2) is
// the group, so groups need no host loop.
//
// KIND (-D) picks the convolution:
//   0  conv2d          y[n,o,i,j] = sum_{c,u,v} w[o,c,u,v] * xpad[n, q*cg+c, i*sh-top+u*dh, j*sw-left+v*dw]
//                      GEMM per group: M = og, N = batch*Ho*Wo, K = cg*kh*kw
//                      (X = x [nb,C,H,W], W = w [O,cg,kh,kw], Y = y [nb,O,Ho,Wo])
//   1  conv_transpose2d, also conv2d's input gradient, in gather form (each output element sums
//                      the inputs whose window reaches it, so nothing is accumulated with atomics)
//                      y[n, q*og+o, a, b] = sum_{c,u,v} x[n, q*cg+c, (a+top-u*dh)/sh, (b+left-v*dw)/sw] * w[q*cg+c, o, u, v]
//                      over the (u, v) where both divisions are exact and in range. Which taps
//                      divide exactly depends only on the phase (a+top) mod sh, (b+left) mod sw,
//                      so the outputs are split into sh*sw phases, each its own GEMM over only its
//                      taps (no multiply-adds on the zeros a stride leaves):
//                      GEMM per group and phase: M = og, N = batch * the phase's outputs per plane,
//                      K = cg * the phase's taps
//                      (X = x [nb,C,H,W], W = w [C,og,kh,kw], Y = y [nb,O,Ho,Wo])
//   2  conv2d's weight gradient  gw[q*og+o, c, u, v] = sum_{n,i,j} gy[n, q*og+o, i, j] * xpad[n, q*cg+c, i*sh-top+u*dh, j*sw-left+v*dw]
//                      GEMM per group: M = og, N = cg*kh*kw, K = batch*Ho*Wo, summed in that order
//                      (X = x [nb,C,H,W], W = gy [nb,O,Ho,Wo], Y = gw [O,cg,kh,kw])
// In every kind C is X's channel count and O = og * groups; (ho, wo) is the plane of the
// operand indexed by (i, j) above: y's for kinds 0 and 1, gy's for kind 2.
//
// Tiling (-D) as in sgemm.cl: TSM x TSN tile, TSK of K per step, WPTM x WPTN per work-item.
//
// Epilogue of kind 0 (-D, optional): BIAS 1 adds bias[o] (an extra buffer and offset argument)
// and ACT 1/2/3 applies relu/tanh/sigmoid (dlc.codegen.opencl.Activation) as each result is
// stored, so a fused conv + bias + activation writes y once.
//
// EPILOGUE (optional, kinds 0 and 1, defined by a generated prefix): EPILOGUE(e, o, v) replaces
// the store of y: it gets the result v, its channel o and e, its linear index in the dense
// y [nb, O, Ho, Wo] (offY, which the caller passes as 0, plus the strides), and writes what a
// fusion group computes from it (bias, activation, residual ...), so y is written once and never
// read back. EPILOGUE_PARAMS (a leading comma, then the arena, offsets and sizes) are its extra
// kernel arguments, after all the others. Not combined with BIAS or ACT.
//
// Split K: get_group_id(2) = q + groups * s; for kind 1 s is the phase (row phase s / sw, column
// phase s % sw) and every phase sums all of its K; for the others work-group slice s sums k in
// [s * kChunk, (s + 1) * kChunk) only, writing its partial result to Y + s * ySplit. The weight
// gradient's K (batch * Ho * Wo) is long and its result small, so one slice would leave most of a
// GPU idle; conv_sum_splits then adds the slices in order s = 0, 1, ... (deterministic). Kinds 0
// and 1 run one slice (kChunk >= K).

// F64 (-D, optional): the tensors hold doubles (f64, or integers stored as double) and the sums
// run in double (integer results are not wrapped: the interpreter's convolutions do not wrap).
// The generated EPILOGUE store takes float results: not with F64.
#if F64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#define T double
#else
#define T float
#endif

#ifndef BIAS
#define BIAS 0
#endif
#ifndef ACT
#define ACT 0
#endif
#ifndef EPILOGUE_PARAMS
#define EPILOGUE_PARAMS
#endif

#if ACT == 1
#define ACTIVATE(v) ((v) > 0.0f ? (v) : 0.0f)
#elif ACT == 2
#define ACTIVATE(v) tanh(v)
#elif ACT == 3
#define ACTIVATE(v) ((v) >= 0.0f ? 1.0f / (1.0f + exp(-(v))) : exp(v) / (1.0f + exp(v)))
#else
#define ACTIVATE(v) (v)
#endif

#define RTSM (TSM / WPTM)
#define RTSN (TSN / WPTN)
#define THREADS (RTSM * RTSN)

#define GEOMETRY_ARGS const int nb, const int C, const int H, const int Wd, const int O, const int ho, const int wo, \
    const int kh, const int kw, const int sh, const int sw, const int top, const int left, const int dh, const int dw, const int groups

// x at (image n, channel ch, row ih, column iw), zero in the padding
inline T x_at(__global const T* X, const int C, const int H, const int Wd, int n, int ch, int ih, int iw) {
    return (ih >= 0 && ih < H && iw >= 0 && iw < Wd) ? X[((size_t)(n * C + ch) * H + ih) * Wd + iw] : 0.0f;
}

// one axis of a transpose's phase r (0 <= r < s): the outputs a = a0 + t*s (na of them) with
// (a + pad) % s == r, and the kernel taps u = u0 + t*us (nu of them) with (u * d) % s == r, which
// are exactly the taps that reach those outputs from whole input positions
inline void phase_axis(const int r, const int s, const int d, const int pad, const int out, const int k,
                       int* a0, int* na, int* u0, int* us, int* nu) {
    *a0 = ((r - pad) % s + s) % s;
    *na = out > *a0 ? (out - *a0 + s - 1) / s : 0;
    int g = s, e = d % s; // gcd(s, d): the solutions of u*d = r (mod s) repeat every s / g
    while (e != 0) { const int t = g % e; g = e; e = t; }
    *us = s / g;
    *u0 = -1;
    for (int u = 0; u < *us; u++)
        if ((u * d) % s == r) { *u0 = u; break; }
    *nu = (*u0 < 0 || *u0 >= k) ? 0 : (k - *u0 + *us - 1) / *us;
}

__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1)))
void conv(__global const T* X, const ulong offX, __global const T* W, const ulong offW,
          __global T* Y, const ulong offY, GEOMETRY_ARGS, const int kChunk, const ulong ySplit
#if BIAS
          , __global const T* Bias, const ulong offBias
#endif
          EPILOGUE_PARAMS)
{
    X += offX;
    W += offW;
    const int q = get_group_id(2) % groups, slice = get_group_id(2) / groups;
    Y += offY + slice * ySplit;
    const int cg = C / groups, og = O / groups, khw = kh * kw, P = ho * wo;
#if KIND == 2
    const int M = og, N = cg * khw, K = nb * P;
#elif KIND == 1
    int ah0, nah, uh0, uhs, nuh, aw0, naw, uw0, uws, nuw;
    phase_axis(slice / sw, sh, dh, top, ho, kh, &ah0, &nah, &uh0, &uhs, &nuh);
    phase_axis(slice % sw, sw, dw, left, wo, kw, &aw0, &naw, &uw0, &uws, &nuw);
    const int PP = nah * naw, KT = nuh * nuw; // the phase's outputs per plane and taps
    const int M = og, N = nb * PP, K = cg * KT;
    if (get_group_id(0) * TSN >= N) return; // the grid fits the largest phase; the whole group leaves
#else
    const int M = og, N = nb * P, K = cg * khw;
#endif
    const int tn = get_local_id(0);
    const int tm = get_local_id(1);
    const int tid = tm * RTSN + tn;
    const int i0 = get_group_id(1) * TSM;
    const int j0 = get_group_id(0) * TSN;

    __local T As[TSK][TSM + 1];
    __local T Bs[TSK][TSN + 1];

    T acc[WPTM][WPTN];
    for (int wm = 0; wm < WPTM; wm++)
        for (int wn = 0; wn < WPTN; wn++) acc[wm][wn] = 0.0f;

#if KIND == 1
    const int kBegin = 0, kEnd = K;
#else
    const int kBegin = slice * kChunk, kEnd = min(K, kBegin + kChunk);
#endif
    for (int k0 = kBegin; k0 < kEnd; k0 += TSK) {
        // A (M x K): k varies fastest, which is contiguous in memory for every kind
        for (int l = tid; l < TSM * TSK; l += THREADS) {
            const int ii = l / TSK, kk = l % TSK;
            const int m = i0 + ii, k = k0 + kk;
            T a = 0.0f;
            if (m < M && k < kEnd) {
#if KIND == 0
                a = W[(size_t)(q * og + m) * K + k];
#elif KIND == 1
                const int c = k / KT, r = k % KT, u = uh0 + (r / nuw) * uhs, v = uw0 + (r % nuw) * uws;
                a = W[((size_t)(q * cg + c) * og + m) * khw + u * kw + v];
#else
                const int n = k / P, p = k % P;
                a = W[((size_t) n * O + q * og + m) * P + p];
#endif
            }
            As[kk][ii] = a;
        }
        // B (K x N): the implicit im2col matrix
        for (int l = tid; l < TSK * TSN; l += THREADS) {
#if KIND == 2
            const int jj = l / TSK, kk = l % TSK; // k runs along a row of x
#else
            const int kk = l / TSN, jj = l % TSN; // n runs along a row of x (or of its windows)
#endif
            const int col = j0 + jj, k = k0 + kk;
            T b = 0.0f;
            if (col < N && k < kEnd) {
#if KIND == 1
                const int n = col / PP, p = col % PP, c = k / KT, r = k % KT;
                const int a_ = ah0 + (p / naw) * sh, b_ = aw0 + (p % naw) * sw;
                const int u = uh0 + (r / nuw) * uhs, v = uw0 + (r % nuw) * uws;
                // exact divisions by the choice of phase; negative or past the end reads padding
                b = x_at(X, C, H, Wd, n, q * cg + c, (a_ + top - u * dh) / sh, (b_ + left - v * dw) / sw);
#else
#if KIND == 2
                const int n = k / P, p = k % P, c = col / khw, r = col % khw;
#else
                const int n = col / P, p = col % P, c = k / khw, r = k % khw;
#endif
                const int i = p / wo, j = p % wo, u = r / kw, v = r % kw;
                b = x_at(X, C, H, Wd, n, q * cg + c, i * sh - top + u * dh, j * sw - left + v * dw);
#endif
            }
            Bs[kk][jj] = b;
        }
        barrier(CLK_LOCAL_MEM_FENCE);

        for (int kk = 0; kk < TSK; kk++) {
            T b[WPTN];
            for (int wn = 0; wn < WPTN; wn++) b[wn] = Bs[kk][tn + wn * RTSN];
            for (int wm = 0; wm < WPTM; wm++) {
                const T a = As[kk][tm + wm * RTSM];
                for (int wn = 0; wn < WPTN; wn++) acc[wm][wn] += a * b[wn];
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    for (int wm = 0; wm < WPTM; wm++) {
        const int m = i0 + tm + wm * RTSM;
        if (m >= M) break;
        for (int wn = 0; wn < WPTN; wn++) {
            const int col = j0 + tn + wn * RTSN;
            if (col >= N) break;
#if KIND == 2
            Y[(size_t)(q * og + m) * N + col] = acc[wm][wn];
#elif KIND == 1
            const int n = col / PP, p = col % PP, a_ = ah0 + (p / naw) * sh, b_ = aw0 + (p % naw) * sw;
#ifdef EPILOGUE
            EPILOGUE(offY + (((size_t) n * O + q * og + m) * ho + a_) * wo + b_, q * og + m, acc[wm][wn]);
#else
            Y[(((size_t) n * O + q * og + m) * ho + a_) * wo + b_] = acc[wm][wn];
#endif
#else
            const int n = col / P, p = col % P;
#ifdef EPILOGUE
            EPILOGUE(offY + ((size_t) n * O + q * og + m) * P + p, q * og + m, acc[wm][wn]);
            continue;
#endif
            T v = acc[wm][wn];
#if BIAS
            v += Bias[offBias + q * og + m];
#endif
            Y[((size_t) n * O + q * og + m) * P + p] = ACTIVATE(v);
#endif
        }
    }
}

// y[t] = the sum of the count-element slices of S in order (the split-K weight gradient's last step)
__kernel void conv_sum_splits(__global const T* S, const ulong offS, __global T* Y, const ulong offY,
                              const int count, const int splits)
{
    const int t = get_global_id(0);
    if (t >= count) return;
    T acc = 0.0f;
    for (int s = 0; s < splits; s++) acc += S[offS + (size_t) s * count + t];
    Y[offY + t] = acc;
}
