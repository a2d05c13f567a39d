//===- OneDnnKernels.cpp - the host's dense ops on oneDNN -----------------===//
//
// Part of SparseFlow.
//
// Each layer is prepared once per session: a oneDNN primitive chosen for its
// shapes (layouts `any`, so oneDNN picks its blocked formats), the weights
// reordered into the primitive's layout, buffers for the activations where
// that layout is not the runtime's plain NCHW / row-major one, and a user
// scratchpad, so that a run allocates nothing. A layer large enough to use
// several threads (one per kMacsPerThread multiply-adds) is split by output
// channels into a primitive per thread of the runtime's pool, each run on
// one OpenMP thread: oneDNN here threads with OpenMP (Debian's build), and
// an OpenMP team's idle threads spin after each region, on the cores the
// pool's next kernel needs (on two cores the LIF after VGG-11's oneDNN stem
// took twice as long).
//
//===----------------------------------------------------------------------===//

#include "backends/host/DenseLibrary.h"

#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

using namespace sparseflow::runtime;
using namespace sparseflow::runtime::host;

namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using DataType = memory::data_type;

/// Multiply-adds per thread below which a layer is split into fewer
/// slices: a parallel pass costs more than it saves on small layers.
constexpr int64_t kMacsPerThread = int64_t{1} << 22;
/// Output channels per slice come in multiples of oneDNN's blocking.
constexpr int64_t kSliceChannels = 16;

/// The output channels [first, first + count) of each slice of a layer of
/// `macs` multiply-adds and `channels` output channels run on `pool`.
std::vector<std::pair<int64_t, int64_t>>
outputSlices(int64_t macs, int64_t channels, const ThreadPool &pool) {
  const int64_t useful = std::clamp<int64_t>(
      macs / kMacsPerThread, 1,
      std::min<int64_t>(pool.size(),
                        (channels + kSliceChannels - 1) / kSliceChannels));
  const int64_t per = ((channels + useful - 1) / useful + kSliceChannels - 1) /
                      kSliceChannels * kSliceChannels;
  std::vector<std::pair<int64_t, int64_t>> slices;
  for (int64_t first = 0; first < channels; first += per)
    slices.push_back({first, std::min(per, channels - first)});
  return slices;
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

/// A prepared primitive with plain-layout activations (or a slice of
/// them): `x` and `y` are bound to the caller's buffers at each run,
/// reordered through the primitive's own layout where it differs.
class Primitive {
public:
  Primitive(const dnnl::primitive &primitive, const memory::desc &userX,
            const memory::desc &primX, const memory::desc &userY,
            const memory::desc &primY, const memory::desc &scratchpad,
            memory weights, memory bias)
      : primitive(primitive), stream(cpuEngine()),
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

  /// Runs on the calling thread alone.
  void execute(const float *in, float *out) {
    OpenMpThreads scope(1);
    userX.set_data_handle(const_cast<float *>(in));
    userY.set_data_handle(out);
    if (toX)
      toX.execute(stream, toXArgs);
    primitive.execute(stream, args);
    if (fromY)
      fromY.execute(stream, fromYArgs);
    stream.wait();
  }

private:
  dnnl::primitive primitive;
  dnnl::stream stream;
  memory userX, userY, x, y, scratchpad, weights, bias;
  dnnl::reorder toX, fromY;
  // Bound once: the memory objects are handles whose buffers each run sets.
  std::unordered_map<int, memory> args, toXArgs, fromYArgs;
};

/// A layer as slices of its output channels, one primitive each, run in
/// parallel on the pool (on one thread while it serves another caller).
class SlicedLayer final : public DenseLayer {
public:
  /// Slice i writes at output + offsets[i].
  void add(std::unique_ptr<Primitive> slice, int64_t offset) {
    slices.push_back(std::move(slice));
    offsets.push_back(offset);
  }

  void run(const float *x, float *y, ThreadPool &pool) override {
    pool.parallelFor(static_cast<int64_t>(slices.size()), 1,
                     [&](int64_t i0, int64_t i1) {
                       for (int64_t i = i0; i < i1; ++i)
                         slices[i]->execute(x, y + offsets[i]);
                     });
  }

private:
  std::vector<std::unique_ptr<Primitive>> slices;
  std::vector<int64_t> offsets;
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
    // The primitives are chosen for the one thread each runs on.
    OpenMpThreads scope(1);
    const int64_t O = g.outChannels, C = g.channels / g.groups,
                  plane = g.outHeight * g.outWidth;
    const int64_t macs = g.batch * O * plane * C * g.kernelH * g.kernelW;
    // A grouped conv runs whole (a slice would cut its groups).
    auto slices = g.groups > 1
                      ? std::vector<std::pair<int64_t, int64_t>>{{0, O}}
                      : outputSlices(macs, O, pool);
    memory::dims src = {g.batch, g.channels, g.height, g.width};
    memory::desc userX(src, DataType::f32, Tag::nchw);
    auto layer = std::make_unique<SlicedLayer>();
    for (auto [first, count] : slices) {
      memory::dims dst = {g.batch, count, g.outHeight, g.outWidth};
      memory::dims w = {count, C, g.kernelH, g.kernelW};
      Tag wTag = Tag::oihw;
      if (g.groups > 1) {
        w = {g.groups, O / g.groups, C, g.kernelH, g.kernelW};
        wTag = Tag::goihw;
      }
      // The slice's channels of the NCHW output.
      memory::desc userY(dst, DataType::f32, {O * plane, plane, g.outWidth, 1});
      memory::desc userW(w, DataType::f32, wTag);
      memory::desc userB({count}, DataType::f32, Tag::a);
      // oneDNN counts dilation from 0 (no dilation).
      dnnl::convolution_forward::desc desc(
          dnnl::prop_kind::forward_inference,
          dnnl::algorithm::convolution_direct,
          memory::desc(src, DataType::f32, Tag::any),
          memory::desc(w, DataType::f32, Tag::any),
          bias ? userB : memory::desc(),
          memory::desc(dst, DataType::f32, Tag::any), {g.strideH, g.strideW},
          {g.dilationH - 1, g.dilationW - 1}, {g.padTop, g.padLeft},
          {g.padBottom, g.padRight});
      dnnl::convolution_forward::primitive_desc pd(desc, userScratchpad(),
                                                   cpuEngine());
      memory biasMemory;
      if (bias)
        biasMemory =
            memory(userB, cpuEngine(), const_cast<float *>(bias + first));
      layer->add(
          std::make_unique<Primitive>(
              dnnl::convolution_forward(pd), userX, pd.src_desc(), userY,
              pd.dst_desc(), pd.scratchpad_desc(),
              constantIn(userW, weight + first * C * g.kernelH * g.kernelW,
                         pd.weights_desc()),
              biasMemory),
          first * plane);
    }
    return layer;
  } catch (const dnnl::error &) {
    return nullptr; // a geometry oneDNN does not take
  }
}

std::unique_ptr<DenseLayer>
host::prepareLinear(int64_t rows, int64_t inFeatures, int64_t outFeatures,
                    const float *weightT, const float *bias, ThreadPool &pool) {
  try {
    OpenMpThreads scope(1);
    const int64_t K = inFeatures, O = outFeatures;
    memory::desc userX({rows, K}, DataType::f32, Tag::ab);
    auto layer = std::make_unique<SlicedLayer>();
    for (auto [first, count] : outputSlices(rows * K * O, O, pool)) {
      // The slice's columns of the row-major weight and output.
      memory::desc userY({rows, count}, DataType::f32, {O, 1});
      memory::desc userW({K, count}, DataType::f32, {O, 1});
      memory::desc userB({1, count}, DataType::f32, Tag::ab);
      dnnl::matmul::desc desc(userX,
                              memory::desc({K, count}, DataType::f32, Tag::any),
                              bias ? userB : memory::desc(), userY);
      dnnl::matmul::primitive_desc pd(desc, userScratchpad(), cpuEngine());
      memory biasMemory;
      if (bias)
        biasMemory =
            memory(userB, cpuEngine(), const_cast<float *>(bias + first));
      layer->add(std::make_unique<Primitive>(
                     dnnl::matmul(pd), userX, pd.src_desc(), userY,
                     pd.dst_desc(), pd.scratchpad_desc(),
                     constantIn(userW, weightT + first, pd.weights_desc()),
                     biasMemory),
                 first);
    }
    return layer;
  } catch (const dnnl::error &) {
    return nullptr;
  }
}
