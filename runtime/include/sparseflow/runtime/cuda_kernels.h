/*===- cuda_kernels.h - the CUDA kernels, callable on device buffers ------===*
 *
 * Part of SparseFlow.
 *
 * A C interface to single CUDA kernels of the runtime, for benchmarks and
 * for frameworks that own their device memory (libsparseflow_cuda_kernels,
 * built with the CUDA backend). Every pointer is a device pointer; `stream`
 * is a cudaStream_t (NULL: the default stream). Layouts are the runtime's
 * (docs/runtime.md): packed spikes are one uint64 per neuron, bit t = step
 * t. Each function returns the CUDA error code of its launch (0: success).
 *
 *===----------------------------------------------------------------------===*/

#ifndef SPARSEFLOW_RUNTIME_CUDA_KERNELS_H
#define SPARSEFLOW_RUNTIME_CUDA_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Zero-block flags of packed spikes [planes][height][width] in blocks of
 * block x block (linear inputs: height 1, blocks of 1 x block): one byte per
 * block, nonzero when a neuron of the block fires. */
int sf_cuda_prescan(const uint64_t *spikes, int64_t planes, int64_t height,
                    int64_t width, int64_t block_height, int64_t block_width,
                    uint8_t *flags, void *stream);

/* Binary-input conv2d, groups 1, square kernel, stride and padding:
 * x [n][c][h][w] packed, weight arranged [c][k][k][o], bias [o] or NULL,
 * y [timesteps][n][o][oh][ow]. `flags` from sf_cuda_prescan with the same
 * `block`, or NULL (block ignored). `pixel_run`: how many consecutive
 * output pixels neighbouring threads take (docs/runtime.md); 0 for the
 * runtime's default. */
int sf_cuda_conv2d_binary(const uint64_t *x, const float *weight,
                          const float *bias, float *y, const uint8_t *flags,
                          int64_t n, int64_t c, int64_t h, int64_t w, int64_t o,
                          int64_t k, int64_t stride, int64_t pad, int timesteps,
                          int64_t block, int64_t pixel_run, void *stream);

/* Dense conv2d on floats [batch][c][h][w], weight [o][c/groups][k][k]. */
int sf_cuda_conv2d_dense(const float *x, const float *weight,
                         const float *bias, float *y, int64_t batch,
                         int64_t c, int64_t h, int64_t w, int64_t o,
                         int64_t k, int64_t stride, int64_t pad,
                         int64_t groups, void *stream);

/* Binary-input linear: x [rows][k] packed, weight_t [k][o], y
 * [timesteps][rows][o]; `flags` from sf_cuda_prescan(planes = rows,
 * height = 1, width = k, 1, block) or NULL. */
int sf_cuda_linear_binary(const uint64_t *x, const float *weight_t,
                          const float *bias, float *y, const uint8_t *flags,
                          int64_t rows, int64_t k, int64_t o, int timesteps,
                          int64_t block, void *stream);

#ifdef __cplusplus
}
#endif

#endif /* SPARSEFLOW_RUNTIME_CUDA_KERNELS_H */
