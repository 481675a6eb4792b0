/*
 * The patch's CPU kernels against references, on whichever whisper.cpp build this is linked with
 * (test/engine/native-kernels.test.ts compiles it once per build the CPU runs):
 *   - the int8 row GEMM (GGML_TENSOR_FLAG_ROW_SCALED matrices): against the same product in double precision,
 *     and against ggml's q8_0 blocks, with M and N not multiples of its tiles (the model's matrices and windows
 *     never reach those edges, so only this test does);
 *   - im2col's 1-D f32 path (whisper's convolutions): the same f16 values as a plain loop, bit for bit.
 * Usage: row-gemm-im2col <expect_row_gemm 0|1>. Prints one line per case and exits 0 only if all hold.
 */
#include "ggml.h"
#include "ggml-cpu.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float frand(void) { return (float) (rand() % 2001 - 1000) / 1000.0f; }

static struct ggml_context * context(size_t bytes) {
    struct ggml_init_params ip = { bytes + 64u * 1024 * 1024, NULL, false };
    return ggml_init(ip);
}

// C = W x X for W (M rows of K) quantized row-scaled (row = 1) or in ggml's blocks (row = 0); C[j*M + i]
static void product(int K, int M, int N, int row, const float * w, const float * x, float * c) {
    struct ggml_context * ctx = context((size_t) 8 * ((size_t) M * K + (size_t) K * N + (size_t) M * N));
    struct ggml_tensor * a = ggml_new_tensor_2d(ctx, GGML_TYPE_Q8_0, K, M);
    struct ggml_tensor * b = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, K, N);
    if (row) {
        for (int r = 0; r < M; r++) {
            ggml_cpu_quantize_row_q8_0_row_scaled(w + (size_t) r * K, (char *) a->data + r * ggml_row_size(GGML_TYPE_Q8_0, K), K);
        }
        a->flags |= GGML_TENSOR_FLAG_ROW_SCALED;
    } else {
        ggml_quantize_chunk(GGML_TYPE_Q8_0, w, a->data, 0, M, K, NULL);
    }
    memcpy(b->data, x, sizeof(float) * (size_t) K * N);
    struct ggml_tensor * out = ggml_mul_mat(ctx, a, b);
    struct ggml_cgraph * g = ggml_new_graph(ctx);
    ggml_build_forward_expand(g, out);
    ggml_graph_compute_with_ctx(ctx, g, 2);
    memcpy(c, out->data, sizeof(float) * (size_t) M * N);
    ggml_free(ctx);
}

static int gemm_case(int K, int M, int N) {
    float * w = malloc(sizeof(float) * (size_t) K * M), * x = malloc(sizeof(float) * (size_t) K * N);
    float * cr = malloc(sizeof(float) * (size_t) M * N), * cb = malloc(sizeof(float) * (size_t) M * N);
    for (size_t i = 0; i < (size_t) K * M; i++) w[i] = frand();
    for (size_t i = 0; i < (size_t) K * N; i++) x[i] = frand();
    product(K, M, N, 1, w, x, cr);
    product(K, M, N, 0, w, x, cb);
    // int8 with one scale per row: each product's error against the exact one stays within a few quantization
    // steps of its row norms; a wrong tile, edge or offset would be off by the size of the values themselves
    double worst = 0, worst_edge = 0, worst_blocks = 0;
    for (int j = 0; j < N; j++) {
        for (int i = 0; i < M; i++) {
            double exact = 0, nw = 0, nx = 0;
            for (int k = 0; k < K; k++) {
                exact += (double) w[(size_t) i * K + k] * x[(size_t) j * K + k];
                nw += (double) w[(size_t) i * K + k] * w[(size_t) i * K + k];
                nx += (double) x[(size_t) j * K + k] * x[(size_t) j * K + k];
            }
            const double scale = sqrt(nw * nx);
            const double e = fabs(cr[(size_t) j * M + i] - exact) / scale;
            if (e > worst) worst = e;
            if ((i >= M / 4 * 4 || j >= N / 4 * 4) && e > worst_edge) worst_edge = e;
            const double eb = fabs(cb[(size_t) j * M + i] - exact) / scale;
            if (eb > worst_blocks) worst_blocks = eb;
        }
    }
    const int ok = worst < 0.02;
    printf("row GEMM K=%d M=%d N=%d: worst error / |w||x| %.5f (edges %.5f; ggml's blocks %.5f) %s\n", K, M, N, worst,
           worst_edge, worst_blocks, ok ? "ok" : "WRONG");
    free(w); free(x); free(cr); free(cb);
    return ok;
}

static int im2col_case(int IW, int IC, int s0, int p0) {
    const int KW = 3, OC = 8;
    struct ggml_context * ctx = context((size_t) 16 * IW * IC * KW);
    struct ggml_tensor * k = ggml_new_tensor_3d(ctx, GGML_TYPE_F16, KW, IC, OC);
    struct ggml_tensor * x = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, IW, IC);
    for (int i = 0; i < IW * IC; i++) ((float *) x->data)[i] = frand() * 30.0f;
    struct ggml_tensor * c = ggml_im2col(ctx, k, x, s0, 0, p0, 0, 1, 0, false, GGML_TYPE_F16);
    struct ggml_cgraph * g = ggml_new_graph(ctx);
    ggml_build_forward_expand(g, c);
    ggml_graph_compute_with_ctx(ctx, g, 2);
    const int OW = (int) c->ne[1];
    int bad = OW != (IW + 2 * p0 - KW) / s0 + 1;
    for (int ow = 0; ow < OW && !bad; ow++) {
        for (int ic = 0; ic < IC; ic++) {
            for (int kw = 0; kw < KW; kw++) {
                const int iw = ow * s0 + kw - p0;
                const ggml_fp16_t want = iw < 0 || iw >= IW ? ggml_fp32_to_fp16(0.0f) : ggml_fp32_to_fp16(((float *) x->data)[ic * IW + iw]);
                const ggml_fp16_t got = ((ggml_fp16_t *) c->data)[(size_t) ow * IC * KW + ic * KW + kw];
                if (memcmp(&want, &got, sizeof want) != 0) bad = 1;
            }
        }
    }
    printf("im2col IW=%d IC=%d stride %d pad %d: %s\n", IW, IC, s0, p0, bad ? "WRONG" : "same bits as a plain loop");
    ggml_free(ctx);
    return !bad;
}

int main(int argc, char ** argv) {
    const int expect = argc > 1 ? atoi(argv[1]) : 1;
    int ok = 1;
    printf("ggml_cpu_has_q8_row_gemm: %d (expected %d)\n", ggml_cpu_has_q8_row_gemm(), expect);
    ok &= ggml_cpu_has_q8_row_gemm() == expect;
    srand(1);
    // the encoder's shapes, then every edge: M and N not multiples of 4 (or 2), one block, fewer than 4 rows
    ok &= gemm_case(384, 384, 1500);
    ok &= gemm_case(1536, 386, 1499);
    ok &= gemm_case(384, 387, 1501);
    ok &= gemm_case(64, 5, 9);
    ok &= gemm_case(32, 3, 11);
    ok &= gemm_case(96, 66, 8);
    ok &= im2col_case(3000, 80, 1, 1);
    ok &= im2col_case(3000, 384, 2, 1);
    ok &= im2col_case(301, 7, 2, 1);
    ok &= im2col_case(130, 3, 1, 0);
    printf(ok ? "all hold\n" : "FAILED\n");
    return ok ? 0 : 1;
}
