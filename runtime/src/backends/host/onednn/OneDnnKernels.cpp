//===- OneDnnKernels.cpp - the host's dense ops on oneDNN -----------------===//
//
// Part of SparseFlow.
//
// Each layer is prepared once per session: a oneDNN primitive chosen for its
// shapes (layouts `any`, so oneDNN picks its blocked formats), the weights
// reordered into the primitive's layout, buffers for the activations where
// that layout is not the runtime's plain NCHW / row-major one, and a user
// scratchpad, so that a run allocates nothing. oneDNN here runs on OpenMP
// (Debian's build); each call sets the calling thread's OpenMP thread count
// to what the runtime's pool grants (ThreadPool::withThreads), capped for
// small layers at one thread per kMacsPerThread multiply-adds.
//
//===----------------------------------------------------------------------===//

#include "backends/host/DenseLibrary.h"

#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cstdio>
#include <unordered_map>

using namespace sparseflow::runtime;
using namespace sparseflow::runtime::host;

namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using DataType = memory::data_type;

/// Multiply-adds per thread below which a layer runs on fewer threads: an
/// OpenMP team costs more than it saves on small layers (and a team whose
/// cores are busy waits at every barrier).
constexpr int64_t kMacsPerThread = int64_t{1} << 22;

/// The threads a layer of `macs` multiply-adds uses out of `pool`'s.
unsigned threadsFor(int64_t macs, const ThreadPool &pool) {
  int64_t useful = std::max<int64_t>(1, macs / kMacsPerThread);
  return static_cast<unsigned>(std::min<int64_t>(useful, pool.size()));
}

const dnnl::engine &cpuEngine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

/// Sets the calling thread's OpenMP thread count (what oneDNN's parallel
/// regions use) for its lifetime, then restores the caller's.
class OpenMpThreads {
public:
  explicit OpenMpThreads(unsigned threads) : before(omp_get_max_threads()) {
    omp_set_num_threads(static_cast<int>(threads));
  }
  ~OpenMpThreads() { omp_set_num_threads(before); }

private:
  int before;
};

/// A prepared primitive with plain-layout activations: `x` and `y` are
/// bound to the caller's buffers at each run, reordered through the
/// primitive's own layout where it differs.
class Layer final : public DenseLayer {
public:
  Layer(unsigned threads, const dnnl::primitive &primitive,
        const memory::desc &userX, const memory::desc &primX,
        const memory::desc &userY, const memory::desc &primY,
        const memory::desc &scratchpad, memory weights, memory bias)
      : threads(threads), primitive(primitive), stream(cpuEngine()),
        userX(userX, cpuEngine(), DNNL_MEMORY_NONE),
        userY(userY, cpuEngine(), DNNL_MEMORY_NONE),
        scratchpad(scratchpad, cpuEngine()), weights(std::move(weights)),
        bias(std::move(bias)) {
    if (primX != userX) {
      x = memory(primX, cpuEngine());
      toX = dnnl::reorder(this->userX, x);
    } else {
      x = this->userX;
    }
    if (primY != userY) {
      y = memory(primY, cpuEngine());
      fromY = dnnl::reorder(y, this->userY);
    } else {
      y = this->userY;
    }
    args = {{DNNL_ARG_SRC, x},
            {DNNL_ARG_WEIGHTS, this->weights},
            {DNNL_ARG_DST, y},
            {DNNL_ARG_SCRATCHPAD, this->scratchpad}};
    if (this->bias)
      args.emplace(DNNL_ARG_BIAS, this->bias);
    toXArgs = {{DNNL_ARG_FROM, this->userX}, {DNNL_ARG_TO, x}};
    fromYArgs = {{DNNL_ARG_FROM, y}, {DNNL_ARG_TO, this->userY}};
  }

  void run(const float *in, float *out, ThreadPool &pool) override {
    userX.set_data_handle(const_cast<float *>(in));
    userY.set_data_handle(out);
    pool.withThreads([&](unsigned granted) {
      OpenMpThreads scope(std::min(granted, threads));
      if (toX)
        toX.execute(stream, toXArgs);
      primitive.execute(stream, args);
      if (fromY)
        fromY.execute(stream, fromYArgs);
      stream.wait();
    });
  }

private:
  unsigned threads;
  dnnl::primitive primitive;
  dnnl::stream stream;
  memory userX, userY, x, y, scratchpad, weights, bias;
  dnnl::reorder toX, fromY;
  // Bound once: the memory objects are handles whose buffers each run sets.
  std::unordered_map<int, memory> args, toXArgs, fromYArgs;
};

/// `user` (the artifact's constant) in layout `wanted`: reordered once into
/// memory of its own, or used in place.
memory constantIn(const memory::desc &user, const float *data,
                  const memory::desc &wanted) {
  memory source(user, cpuEngine(), const_cast<float *>(data));
  if (wanted == user)
    return source;
  memory copy(wanted, cpuEngine());
  dnnl::stream stream(cpuEngine());
  dnnl::reorder(source, copy).execute(stream, source, copy);
  stream.wait();
  return copy;
}

dnnl::primitive_attr userScratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

} // namespace

const char *host::denseLibrary() {
  static char name[32];
  if (!name[0]) {
    const dnnl_version_t *v = dnnl_version();
    std::snprintf(name, sizeof name, "oneDNN %d.%d.%d", v->major, v->minor,
                  v->patch);
  }
  return name;
}

std::unique_ptr<DenseLayer> host::prepareConv2d(const Window2d &g,
                                                const float *weight,
                                                const float *bias,
                                                ThreadPool &pool) {
  try {
    // The primitive's blocking depends on the thread count it will run with.
    unsigned threads =
        threadsFor(g.batch * g.outChannels * g.outHeight * g.outWidth *
                       (g.channels / g.groups) * g.kernelH * g.kernelW,
                   pool);
    OpenMpThreads scope(threads);
    memory::dims src = {g.batch, g.channels, g.height, g.width};
    memory::dims dst = {g.batch, g.outChannels, g.outHeight, g.outWidth};
    memory::dims w = {g.outChannels, g.channels / g.groups, g.kernelH,
                      g.kernelW};
    Tag wTag = Tag::oihw;
    if (g.groups > 1) {
      w = {g.groups, g.outChannels / g.groups, g.channels / g.groups, g.kernelH,
           g.kernelW};
      wTag = Tag::goihw;
    }
    memory::desc userX(src, DataType::f32, Tag::nchw);
    memory::desc userY(dst, DataType::f32, Tag::nchw);
    memory::desc userW(w, DataType::f32, wTag);
    memory::desc userB({g.outChannels}, DataType::f32, Tag::a);
    // oneDNN counts dilation from 0 (no dilation).
    dnnl::convolution_forward::desc desc(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
        memory::desc(src, DataType::f32, Tag::any),
        memory::desc(w, DataType::f32, Tag::any), bias ? userB : memory::desc(),
        memory::desc(dst, DataType::f32, Tag::any), {g.strideH, g.strideW},
        {g.dilationH - 1, g.dilationW - 1}, {g.padTop, g.padLeft},
        {g.padBottom, g.padRight});
    dnnl::convolution_forward::primitive_desc pd(desc, userScratchpad(),
                                                 cpuEngine());
    memory biasMemory;
    if (bias)
      biasMemory = memory(userB, cpuEngine(), const_cast<float *>(bias));
    return std::make_unique<Layer>(
        threads, dnnl::convolution_forward(pd), userX, pd.src_desc(), userY,
        pd.dst_desc(), pd.scratchpad_desc(),
        constantIn(userW, weight, pd.weights_desc()), biasMemory);
  } catch (const dnnl::error &) {
    return nullptr; // a geometry oneDNN does not take
  }
}

std::unique_ptr<DenseLayer>
host::prepareLinear(int64_t rows, int64_t inFeatures, int64_t outFeatures,
                    const float *weightT, const float *bias, ThreadPool &pool) {
  try {
    unsigned threads = threadsFor(rows * inFeatures * outFeatures, pool);
    OpenMpThreads scope(threads);
    memory::desc userX({rows, inFeatures}, DataType::f32, Tag::ab);
    memory::desc userY({rows, outFeatures}, DataType::f32, Tag::ab);
    memory::desc userW({inFeatures, outFeatures}, DataType::f32, Tag::ab);
    memory::desc userB({1, outFeatures}, DataType::f32, Tag::ab);
    dnnl::matmul::desc desc(
        userX, memory::desc({inFeatures, outFeatures}, DataType::f32, Tag::any),
        bias ? userB : memory::desc(), userY);
    dnnl::matmul::primitive_desc pd(desc, userScratchpad(), cpuEngine());
    memory biasMemory;
    if (bias)
      biasMemory = memory(userB, cpuEngine(), const_cast<float *>(bias));
    return std::make_unique<Layer>(
        threads, dnnl::matmul(pd), userX, pd.src_desc(), userY, pd.dst_desc(),
        pd.scratchpad_desc(), constantIn(userW, weightT, pd.weights_desc()),
        biasMemory);
  } catch (const dnnl::error &) {
    return nullptr;
  }
}
