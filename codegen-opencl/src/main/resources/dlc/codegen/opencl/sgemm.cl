// Tiled SGEMM, row-major:  C = alpha * op(A) * op(B) + beta * C
//   op(A) is M x K, op(B) is K x N, C is M x N; A, B and C are element offsets into (possibly
//   the same) buffers, with leading dimensions lda, ldb, ldc, so a slice of a larger tensor is
//   used in place. TRANS_A / TRANS_B read A (K x M) and B (N x K) transposed in the kernel: no
//   host-side transposes. With beta == 0, C is only written (never read), so it may hold garbage.
//
// Build-time parameters (-D): TSM x TSN is the tile of C a work-group computes, TSK the slice
// of K staged in local memory per step, WPTM x WPTN the register block each work-item
// accumulates (its rows are strided by TSM / WPTM, its columns by TSN / WPTN, so neighbouring
// work-items touch neighbouring columns of C, B and the local tiles).
//
// BATCHED (-D, optional): one product per get_group_id(2), p, for batched matmul: the matrices
// of product p start pA, pB and p * strideC elements further, where p = (p0, p1) with
// p1 = p % batchInner and pX = p0 * strideX0 + p1 * strideX1 (a stride of 0 repeats a broadcast
// operand). Without it the kernel is the plain GEMM above.
//
// EPILOGUE (optional, defined by a generated prefix): EPILOGUE(e, j, v) replaces the store of C:
// it gets the result v = alpha * op(A) * op(B), its column j and e, its linear index in the dense
// [products, M, N] result (offC, which the caller passes as 0, plus the product's and the row's
// strides), and writes what a fusion group computes from it (a bias, an activation, a residual
// add ...), so the GEMM's result is written once and never read back. The prefix also defines
// EPILOGUE_PARAMS, its extra kernel arguments (a leading comma, then the arena and its offsets
// and sizes), which come after all the others. beta is not used with EPILOGUE.

// VEC_A, VEC_B (-D, optional, float only): stage that operand's tile with float4 reads along
// its contiguous dimension (K for A, M for A transposed, N for B, K for B transposed) instead of
// one float per work-item. The host defines them only where each read is 16-byte aligned: the
// operand's offset, leading dimension and (BATCHED) batch strides are multiples of 4 floats and
// the arena's buffer starts aligned (clCreateBuffer aligns it to CL_DEVICE_MEM_BASE_ADDR_ALIGN),
// so a group of 4 never straddles two rows. Only the group that crosses the matrix's edge in
// that dimension is read one float at a time (the floats past the edge may lie past the end of
// the arena). The tile sizes are multiples of 4. Values and summation order are those of the
// scalar staging: only how the tile reaches local memory changes.
//
// F64 (-D, optional): the matrices hold doubles (f64, or integers stored as double) and the
// products accumulate in double; WRAP (-D, with F64) then wraps each stored result to an integer
// dtype as the interpreter does (1 i8, 2 u8, 3 i32, 4 i64: the exact sum, below 2^53, as a
// long). alpha and beta stay float arguments (the callers pass 1 and 0, exact in either).

#ifndef EPILOGUE_PARAMS
#define EPILOGUE_PARAMS
#endif

#if F64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#define T double
#else
#define T float
#endif
#if WRAP == 1
#define STORED(v) ((double)as_char((uchar)(((long)(v)) & 0xffL)))
#elif WRAP == 2
#define STORED(v) ((double)(((long)(v)) & 0xffL))
#elif WRAP == 3
#define STORED(v) ((double)as_int((uint)(((long)(v)) & 0xffffffffL)))
#elif WRAP == 4
#define STORED(v) ((double)(long)(v))
#else
#define STORED(v) (v)
#endif

#if (VEC_A || VEC_B) && F64
#error "VEC_A and VEC_B stage float tiles; F64 builds stage one double at a time"
#endif
#if (VEC_A || VEC_B) && (TSM % 4 || TSN % 4 || TSK % 4)
#error "VEC_A and VEC_B read groups of 4: TSM, TSN and TSK must be multiples of 4"
#endif

#define RTSM (TSM / WPTM)
#define RTSN (TSN / WPTN)
#define THREADS (RTSM * RTSN)

#if TRANS_A
#define A_AT(i, k) A[(size_t)(k) * lda + (i)]
#else
#define A_AT(i, k) A[(size_t)(i) * lda + (k)]
#endif
#if TRANS_B
#define B_AT(k, j) B[(size_t)(j) * ldb + (k)]
#else
#define B_AT(k, j) B[(size_t)(k) * ldb + (j)]
#endif

#if VEC_A || VEC_B
// The 4 floats from p, where p is 16-byte aligned; only the first `valid` of them lie inside
// the matrix (the rest are zeros and are not read): fewer than 4 only at the matrix's edge.
inline float4 sgemm_load4(__global const float* p, const int valid) {
    if (valid >= 4) return *(__global const float4*)p;
    float4 v = (float4)(0.0f);
    if (valid > 0) v.s0 = p[0];
    if (valid > 1) v.s1 = p[1];
    if (valid > 2) v.s2 = p[2];
    return v;
}
#endif

__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1)))
void sgemm(const int M, const int N, const int K, const float alpha,
           __global const T* A, const ulong offA, const int lda,
           __global const T* B, const ulong offB, const int ldb,
           const float beta, __global T* C, const ulong offC, const int ldc
#if BATCHED
           , const int batchInner, const ulong strideA0, const ulong strideA1,
           const ulong strideB0, const ulong strideB1, const ulong strideC
#endif
           EPILOGUE_PARAMS)
{
    A += offA;
    B += offB;
    size_t c0 = offC; // C's first element
#if BATCHED
    {
        const size_t p = get_group_id(2), p0 = p / batchInner, p1 = p % batchInner;
        A += p0 * strideA0 + p1 * strideA1;
        B += p0 * strideB0 + p1 * strideB1;
        c0 += p * strideC;
    }
#endif
    C += c0;
    const int tn = get_local_id(0);
    const int tm = get_local_id(1);
    const int tid = tm * RTSN + tn;
    const int i0 = get_group_id(1) * TSM;
    const int j0 = get_group_id(0) * TSN;

    // +1 column: the non-transposed loads write down a column, which would hit one bank
    __local T As[TSK][TSM + 1];
    __local T Bs[TSK][TSN + 1];

    T acc[WPTM][WPTN];
    for (int wm = 0; wm < WPTM; wm++)
        for (int wn = 0; wn < WPTN; wn++) acc[wm][wn] = 0.0f;

    for (int k0 = 0; k0 < K; k0 += TSK) {
        // stage the tiles, reading global memory along its contiguous dimension; outside the
        // matrices the tiles hold zeros, so the inner loop needs no bounds checks
#if VEC_A && TRANS_A
        // A is stored K x M: a group of 4 is 4 neighbouring i of one k
        for (int l = tid; l < TSK * TSM / 4; l += THREADS) {
            const int kk = l / (TSM / 4), ii = l % (TSM / 4) * 4;
            const int i = i0 + ii, k = k0 + kk;
            const float4 v = k < K ? sgemm_load4(&A_AT(i, k), M - i) : (float4)(0.0f);
            As[kk][ii] = v.s0; As[kk][ii + 1] = v.s1; As[kk][ii + 2] = v.s2; As[kk][ii + 3] = v.s3;
        }
#elif VEC_A
        // a group of 4 is 4 neighbouring k of one row i
        for (int l = tid; l < TSM * TSK / 4; l += THREADS) {
            const int ii = l / (TSK / 4), kk = l % (TSK / 4) * 4;
            const int i = i0 + ii, k = k0 + kk;
            const float4 v = i < M ? sgemm_load4(&A_AT(i, k), K - k) : (float4)(0.0f);
            As[kk][ii] = v.s0; As[kk + 1][ii] = v.s1; As[kk + 2][ii] = v.s2; As[kk + 3][ii] = v.s3;
        }
#else
        for (int l = tid; l < TSM * TSK; l += THREADS) {
#if TRANS_A
            const int kk = l / TSM, ii = l % TSM;
#else
            const int ii = l / TSK, kk = l % TSK;
#endif
            const int i = i0 + ii, k = k0 + kk;
            As[kk][ii] = (i < M && k < K) ? A_AT(i, k) : 0.0f;
        }
#endif
#if VEC_B && TRANS_B
        // B is stored N x K: a group of 4 is 4 neighbouring k of one column j
        for (int l = tid; l < TSN * TSK / 4; l += THREADS) {
            const int jj = l / (TSK / 4), kk = l % (TSK / 4) * 4;
            const int j = j0 + jj, k = k0 + kk;
            const float4 v = j < N ? sgemm_load4(&B_AT(k, j), K - k) : (float4)(0.0f);
            Bs[kk][jj] = v.s0; Bs[kk + 1][jj] = v.s1; Bs[kk + 2][jj] = v.s2; Bs[kk + 3][jj] = v.s3;
        }
#elif VEC_B
        // a group of 4 is 4 neighbouring j of one row k
        for (int l = tid; l < TSK * TSN / 4; l += THREADS) {
            const int kk = l / (TSN / 4), jj = l % (TSN / 4) * 4;
            const int j = j0 + jj, k = k0 + kk;
            const float4 v = k < K ? sgemm_load4(&B_AT(k, j), N - j) : (float4)(0.0f);
            Bs[kk][jj] = v.s0; Bs[kk][jj + 1] = v.s1; Bs[kk][jj + 2] = v.s2; Bs[kk][jj + 3] = v.s3;
        }
#else
        for (int l = tid; l < TSK * TSN; l += THREADS) {
#if TRANS_B
            const int jj = l / TSK, kk = l % TSK;
#else
            const int kk = l / TSN, jj = l % TSN;
#endif
            const int j = j0 + jj, k = k0 + kk;
            Bs[kk][jj] = (j < N && k < K) ? B_AT(k, j) : 0.0f;
        }
#endif
        barrier(CLK_LOCAL_MEM_FENCE);

        for (int kk = 0; kk < TSK; kk++) {
            T b[WPTN];
            for (int wn = 0; wn < WPTN; wn++) b[wn] = Bs[kk][tn + wn * RTSN];
            for (int wm = 0; wm < WPTM; wm++) {
                const T a = As[kk][tm + wm * RTSM];
                for (int wn = 0; wn < WPTN; wn++) acc[wm][wn] += a * b[wn]; // fused where the device has fma (FP_CONTRACT); mad() may lose accuracy
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    for (int wm = 0; wm < WPTM; wm++) {
        const int i = i0 + tm + wm * RTSM;
        if (i >= M) break;
        for (int wn = 0; wn < WPTN; wn++) {
            const int j = j0 + tn + wn * RTSN;
            if (j >= N) break;
            const size_t c = (size_t) i * ldc + j;
#ifdef EPILOGUE
            EPILOGUE(c0 + c, j, alpha * acc[wm][wn]);
#else
            C[c] = STORED(beta == 0.0f ? alpha * acc[wm][wn] : alpha * acc[wm][wn] + beta * C[c]);
#endif
        }
    }
}
