// Reductions as work-group reductions: one work-group of WG work-items (a power of two, -D) per
// output element; WG 1 (a handful of inputs per output) is instead one work-item per output in
// groups the driver sizes, since groups of one would leave most of a GPU's SIMD lanes idle. Each work-item folds a strided share of the element's inputs in order, then the
// group combines the WG partial results in a tree in local memory. The order is fixed by WG, so a
// result is the same run to run. Semantics of the IR ops (dlc.ir.ops.ReduceOps, dlc.runtime.Reduce):
// NaN propagates through max and min, a mean over nothing is NaN (0/0), max/min over nothing
// are -inf/+inf; argmax/argmin return the FIRST extreme (or the first NaN).
//
// reduce: FN (-D) is 0 sum, 1 mean, 2 max, 3 min. The operand's axes arrive merged as on the JVM
// (adjacent axes of one kind folded together, dims of 1 dropped): nk kept axes (0..4) with
// dims kd* and element strides ks* in x, walked row-major to number the outputs, and nr reduced
// axes (0..4) with dims rd* and strides rs*, walked row-major for each output.
//
// arg_reduce: argmax (is_max != 0) or argmin along the middle axis of an (outer, n, inner) view;
// the index is stored as OUT_T (-D: int, long, float or double), the operand read as IN_T.

#define NAN_OR(a, b) (isnan(a) ? (a) : (b))

#if FN == 2
#define IDENTITY (-INFINITY)
#define COMBINE(a, v) ((v) > (a) || isnan(v) ? (v) : (a))
#elif FN == 3
#define IDENTITY INFINITY
#define COMBINE(a, v) ((v) < (a) || isnan(v) ? (v) : (a))
#else
#define IDENTITY 0.0f
#define COMBINE(a, v) ((a) + (v))
#endif

#ifdef FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif

// the offset in x of coordinate number t of a row-major walk over n <= 4 axes (dims d*, strides s*)
inline size_t walk(int t, const int n, const int d0, const int d1, const int d2, const int d3,
                   const int s0, const int s1, const int s2, const int s3) {
    size_t off = 0;
    if (n > 3) { off += (size_t)(t % d3) * s3; t /= d3; }
    if (n > 2) { off += (size_t)(t % d2) * s2; t /= d2; }
    if (n > 1) { off += (size_t)(t % d1) * s1; t /= d1; }
    if (n > 0) { off += (size_t) t * s0; }
    return off;
}

#if WG > 1
#define KERNEL __kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
// the output this work-item works on (outputs: their number) and its place in the group
#define OUTPUT(outputs) const int t = get_group_id(0), lid = get_local_id(0)
#else
#define KERNEL __kernel
#define OUTPUT(outputs) const int t = get_global_id(0), lid = 0; if (t >= (outputs)) return
#endif

#ifdef FN
KERNEL
void reduce(__global const float* X, const ulong offX, __global float* Y, const ulong offY, const int count, const int nk, const int nr,
            const int kd0, const int kd1, const int kd2, const int kd3, const int ks0, const int ks1, const int ks2, const int ks3,
            const int rd0, const int rd1, const int rd2, const int rd3, const int rs0, const int rs1, const int rs2, const int rs3,
            const int outputs)
{
    OUTPUT(outputs);
    __global const float* x = X + offX + walk(t, nk, kd0, kd1, kd2, kd3, ks0, ks1, ks2, ks3);
    float acc = IDENTITY;
    for (int r = lid; r < count; r += WG)
        acc = COMBINE(acc, x[walk(r, nr, rd0, rd1, rd2, rd3, rs0, rs1, rs2, rs3)]);
#if WG > 1
    __local float part[WG];
    part[lid] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int span = WG / 2; span > 0; span /= 2) {
        if (lid < span) {
            const float a = part[lid], b = part[lid + span];
#if FN == 2 || FN == 3
            part[lid] = NAN_OR(a, COMBINE(a, b)); // a NaN on either side wins
#else
            part[lid] = a + b;
#endif
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid != 0) return;
    acc = part[0];
#endif
#if FN == 1
    Y[offY + t] = acc / (float) count; // 0/0: NaN for a mean over nothing
#else
    Y[offY + t] = acc;
#endif
}
#endif

#ifdef OUT_T
// IN_T (-D, optional): the operand's element type, float (f32) by default, double for f64 and
// integer operands (FP64 must be set then).
#ifndef IN_T
#define IN_T float
#endif
// whether (va, ia) comes before (vb, ib): a NaN before any number, then the larger (argmax) or
// smaller (argmin) value, then the smaller index. A total order, so the tree finds the first extreme.
inline bool better(const int is_max, const IN_T va, const int ia, const IN_T vb, const int ib) {
    if (isnan(va) || isnan(vb)) return isnan(va) && (!isnan(vb) || ia < ib);
    return (is_max ? va > vb : va < vb) || (va == vb && ia < ib);
}

KERNEL
void arg_reduce(__global const IN_T* X, const ulong offX, __global OUT_T* Y, const ulong offY,
                const int n, const int inner, const int is_max, const int outputs)
{
    OUTPUT(outputs);
    const int o = t / inner, i = t % inner;
    __global const IN_T* x = X + offX + (size_t) o * n * inner + i;
    IN_T bv = NAN;
    int bi = -1; // none yet
    for (int k = lid; k < n; k += WG) {
        const IN_T v = x[(size_t) k * inner];
        if (bi < 0 || better(is_max, v, k, bv, bi)) { bv = v; bi = k; }
    }
#if WG > 1
    __local IN_T val[WG];
    __local int idx[WG];
    val[lid] = bv;
    idx[lid] = bi;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int span = WG / 2; span > 0; span /= 2) {
        if (lid < span && idx[lid + span] >= 0 && (idx[lid] < 0 || better(is_max, val[lid + span], idx[lid + span], val[lid], idx[lid]))) {
            val[lid] = val[lid + span];
            idx[lid] = idx[lid + span];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid != 0) return;
    bi = idx[0];
#endif
    Y[offY + t] = (OUT_T) bi;
}
#endif
