//===- HostDevice.h - code compiled for the CPU and the GPU -----*- C++ -*-===//
//
// Part of SparseFlow.
//
// SF_HD marks a function that nvcc compiles for both the host and the
// device; a plain C++ compiler sees an ordinary inline function. The
// per-element semantics the host and CUDA backends share (the LIF step, the
// window walk, the CUDA kernels' thread bodies) are written once with it.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEFLOW_RUNTIME_SUPPORT_HOSTDEVICE_H
#define SPARSEFLOW_RUNTIME_SUPPORT_HOSTDEVICE_H

#ifdef __CUDACC__
#define SF_HD __host__ __device__
#else
#define SF_HD
#endif

#endif // SPARSEFLOW_RUNTIME_SUPPORT_HOSTDEVICE_H
