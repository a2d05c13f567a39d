//===- HostDevice.h - code compiled for the CPU and the GPU -----*- C++ -*-===//
//
// Part of SparseFlow.
//
// SF_HD marks a function that nvcc compiles for both the host and the
// device; a plain C++ compiler sees an ordinary inline function. The
// per-element semantics the host and CUDA backends share (the LIF step, the
// window walk, the CUDA kernels' thread bodies) are written once with it.
// SF_HD_ALWAYS_INLINE also inlines it wherever it is called, so that what a
// caller passes it (a lambda) is compiled for the caller's instruction set.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_SUPPORT_HOSTDEVICE_H
#define SPARSEFLOW_RUNTIME_SUPPORT_HOSTDEVICE_H

#ifdef __CUDACC__
#define SF_HD __host__ __device__
#define SF_HD_ALWAYS_INLINE __host__ __device__ __forceinline__
#elif defined(__GNUC__)
#define SF_HD
#define SF_HD_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define SF_HD
#define SF_HD_ALWAYS_INLINE inline
#endif

#endif // SPARSEFLOW_RUNTIME_SUPPORT_HOSTDEVICE_H
