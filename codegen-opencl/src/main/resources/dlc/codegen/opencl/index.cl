// Indexed movement over an (outer, n, inner) view of the indexed operand, n the size of the
// indexed axis, m indices stored as IDX_T (-D: int, long, float or double). Semantics of the IR
// ops gather and scatter_add (dlc.ir.ops.MovementIndexOps, dlc.runtime.Indexing): an index v
// names v in [0, n), n + v in [-n, 0); any other index is an error. A kernel cannot throw, so it
// writes 0 where a bad index would read or write, and lowers the error word ERR (an int in the
// arena, set to INT_MAX by index_error_reset) to the smallest position j of a bad index, which the
// host reads when it next waits (IndexKernels.checkIndices).
//
// scatter_add is deterministic, in the JVM's summation order: scatter_links finds, for each j,
// the next j' > j with the same index (a chain through equal indices, in ascending j) and whether
// j is the first of its chain; then scatter_add_chains has each chain's first element walk the
// chain, adding the updates in ascending j to the base, so each output element is written by one
// work-item, with no atomics. The link pass compares each index with the others (O(m^2) work, m
// the number of indices, in parallel over j).

#ifdef FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif
// DATA_T (-D, optional): the gathered and scattered tensors' element type, float (f32) by default,
// double for f64 and integer data (the backend stores integers as double; sums are not wrapped,
// as the interpreter's scatter_add does not wrap).
#ifndef DATA_T
#define DATA_T float
#endif

// index v resolved on an axis of size n, or -1 when out of range
inline int resolve(const IDX_T v, const int n) {
    if (v >= 0 && v < n) return (int) v;
    if (v < 0 && v >= -n) return (int) (n + v);
    return -1;
}

__kernel void index_error_reset(__global int* E, const ulong offE) { E[offE] = INT_MAX; }

__kernel void gather(__global const DATA_T* X, const ulong offX, __global const IDX_T* I, const ulong offI,
                     __global DATA_T* Y, const ulong offY, __global int* E, const ulong offE,
                     const int outer, const int n, const int inner, const int m)
{
    const size_t t = get_global_id(0);
    if (t >= (size_t) outer * m * inner) return;
    const int i = t % inner, j = (t / inner) % m, o = t / ((size_t) inner * m);
    const int k = resolve(I[offI + j], n);
    if (k < 0) {
        atomic_min(E + offE, j);
        Y[offY + t] = 0.0f;
        return;
    }
    Y[offY + t] = X[offX + ((size_t) o * n + k) * inner + i];
}

__kernel void copy(__global const DATA_T* X, const ulong offX, __global DATA_T* Y, const ulong offY, const int count) {
    const int t = get_global_id(0);
    if (t < count) Y[offY + t] = X[offX + t];
}

// L[j] = the next j' > j with the same index (-1: none); L[m + j] = the resolved index when j is
// the first of its chain, else -1 (also for a bad index, which is reported)
__kernel void scatter_links(__global const IDX_T* I, const ulong offI, __global int* L, const ulong offL,
                            __global int* E, const ulong offE, const int n, const int m)
{
    const int j = get_global_id(0);
    if (j >= m) return;
    I += offI;
    L += offL;
    const int k = resolve(I[j], n);
    if (k < 0) atomic_min(E + offE, j);
    int next = -1;
    for (int jj = j + 1; k >= 0 && jj < m; jj++)
        if (resolve(I[jj], n) == k) { next = jj; break; }
    bool first = k >= 0;
    for (int jj = j - 1; first && jj >= 0; jj--)
        if (resolve(I[jj], n) == k) first = false;
    L[j] = next;
    L[m + j] = first ? k : -1;
}

// Y already holds the base; each chain's first element adds its updates U[o, j, i] in ascending j
__kernel void scatter_add_chains(__global const DATA_T* U, const ulong offU, __global const int* L, const ulong offL,
                                 __global DATA_T* Y, const ulong offY, const int outer, const int n, const int inner, const int m)
{
    const size_t t = get_global_id(0);
    if (t >= (size_t) outer * m * inner) return;
    const int i = t % inner, j = (t / inner) % m, o = t / ((size_t) inner * m);
    L += offL;
    const int k = L[m + j];
    if (k < 0) return;
    __global DATA_T* y = Y + offY + ((size_t) o * n + k) * inner + i;
    DATA_T acc = *y;
    for (int jj = j; jj >= 0; jj = L[jj]) acc += U[offU + ((size_t) o * m + jj) * inner + i];
    *y = acc;
}
