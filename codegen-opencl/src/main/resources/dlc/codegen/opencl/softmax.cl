// softmax and log-softmax along the middle axis of an (outer, n, inner) view, one work-group of
// WG work-items (a power of two, -D) per row (o, i), whose elements are x[(o*n + k)*inner + i]
// (WG 1, for rows of a few elements: one work-item per row, in groups the driver sizes):
// the row's max, then the sum of exp(x - max), then each element normalized, all in one kernel
// with the row's partial results in local memory (three passes over the row, no host round
// trip). Subtracting the max keeps exp from overflowing; a NaN in a row makes the row NaN; a row
// of -inf is NaN (as -inf - -inf is), and -inf entries of other rows give 0 (log: -inf).
// LOG (-D) 1 writes log-softmax: (x - max) - log(sum). y may be x itself: each element is read
// by the work-item that writes it, after the row's sums are known.

#if WG > 1
__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
#else
__kernel
#endif
void softmax(__global const float* X, const ulong offX, __global float* Y, const ulong offY, const int n, const int inner,
             const int rows)
{
#if WG > 1
    __local float part[WG];
    const int t = get_group_id(0), lid = get_local_id(0);
#else
    const int t = get_global_id(0), lid = 0;
    if (t >= rows) return;
#endif
    const size_t base = (size_t)(t / inner) * n * inner + t % inner;
    __global const float* x = X + offX + base;
    __global float* y = Y + offY + base;

    float m = -INFINITY;
    for (int k = lid; k < n; k += WG) {
        const float v = x[(size_t) k * inner];
        m = v > m || isnan(v) ? v : m;
    }
#if WG > 1
    part[lid] = m;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int span = WG / 2; span > 0; span /= 2) {
        if (lid < span) {
            const float a = part[lid], b = part[lid + span];
            part[lid] = isnan(a) ? a : (b > a || isnan(b) ? b : a);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    m = part[0];
    barrier(CLK_LOCAL_MEM_FENCE); // everyone has read the max before part is reused
#endif

    float s = 0.0f;
    for (int k = lid; k < n; k += WG) s += exp(x[(size_t) k * inner] - m);
#if WG > 1
    part[lid] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int span = WG / 2; span > 0; span /= 2) {
        if (lid < span) part[lid] += part[lid + span];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    s = part[0];
#endif

#if LOG
    const float ls = log(s);
    for (int k = lid; k < n; k += WG) y[(size_t) k * inner] = (x[(size_t) k * inner] - m) - ls;
#else
    for (int k = lid; k < n; k += WG) y[(size_t) k * inner] = exp(x[(size_t) k * inner] - m) / s;
#endif
}
