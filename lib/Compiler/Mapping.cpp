//===- Mapping.cpp - mapping search for the cost model --------------------===//
//
// Part of SparseFlow.
//
// The analytical model follows ZigZag's (Mei et al., "ZigZag: enlarging
// joint architecture-mapping design space exploration for DNN
// accelerators", IEEE TC 2021): a memory level holds, per instance, the
// footprint of the loops inside it and is refilled once per iteration of
// the loops above it; a read feeds every instance below that needs the same
// data (broadcast) and partial sums from instances below are summed on the
// way up (reduction). Accesses are counted in words of the level's
// bandwidth, a transfer smaller than the level's granularity costing one
// granule.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/Compiler/Mapping.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <functional>

using namespace llvm;
using namespace sparseflow;
using namespace sparseflow::hw;

StringRef hw::loopDimName(LoopDim dim) {
  static const char *names[] = {"G", "B", "K", "C", "OY", "OX", "FY", "FX"};
  return names[dim];
}

StringRef hw::objectiveName(Objective objective) {
  switch (objective) {
  case Objective::Energy:
    return "energy";
  case Objective::Latency:
    return "latency";
  case Objective::EnergyDelay:
    return "edp";
  }
  return "";
}

LoopNest LoopNest::of(const HardwareLayer &l, int64_t timesteps,
                      const Accelerator &acc) {
  LoopNest n;
  n.size.fill(1);
  n.size[G] = l.groups;
  n.size[B] = timesteps;
  n.size[K] = l.weightShape[0] / l.groups;
  n.size[C] = l.weightShape[1];
  n.size[FY] = l.weightShape[2];
  n.size[FX] = l.weightShape[3];
  if (l.conv) {
    n.size[OY] = l.outputShape[1];
    n.size[OX] = l.outputShape[2];
    n.inputY = l.inputShape[1];
    n.inputX = l.inputShape[2];
    n.strideY = l.strides[0];
    n.strideX = l.strides[1];
  }
  n.inputBits = l.spikeInput ? 1 : acc.inputBits;
  n.weightBits = acc.weightBits;
  n.psumBits = acc.psumBits;
  n.resultBits = l.spikingOutput ? 1 : acc.psumBits;
  return n;
}

double LoopNest::macs() const {
  double product = 1;
  for (int64_t s : size)
    product *= double(s);
  return product;
}

namespace {

using Extents = std::array<double, kLoopDims>;

Extents ones() {
  Extents e;
  e.fill(1);
  return e;
}

/// Whether `dim` indexes `operand`'s data (an input row or column counts).
bool relevant(Operand operand, LoopDim dim) {
  switch (operand) {
  case I1:
    return dim != K;
  case I2:
    return dim == G || dim == K || dim == C || dim == FY || dim == FX;
  case O:
    return dim == G || dim == B || dim == K || dim == OY || dim == OX;
  }
  return true;
}

/// The elements of `operand` that loops of these extents touch.
double footprint(const LoopNest &n, Operand operand, const Extents &e) {
  switch (operand) {
  case I1: {
    // The window slides by the stride: o outputs with f taps touch
    // s (o - 1) + f rows, or o f when the taps do not reach the next window.
    auto span = [](double outputs, double taps, double stride, double size) {
      return std::min({size, stride * (outputs - 1) + taps, outputs * taps});
    };
    return e[G] * e[B] * e[C] * span(e[OY], e[FY], n.strideY, n.inputY) *
           span(e[OX], e[FX], n.strideX, n.inputX);
  }
  case I2:
    return e[G] * e[K] * e[C] * e[FY] * e[FX];
  case O:
    return e[G] * e[B] * e[K] * e[OY] * e[OX];
  }
  return 0;
}

/// The input neurons (per step) and steps that loops of these extents read.
std::pair<double, double> inputSpan(const LoopNest &n, const Extents &e) {
  return {footprint(n, I1, e) / e[B], e[B]};
}

/// Word accesses for `periods` transfers of `bits` each.
double accessesFor(double periods, double bits, double granularity,
                   double bandwidth) {
  return periods * std::ceil(bits / granularity) * granularity / bandwidth;
}

std::vector<int64_t> primeFactors(int64_t n) {
  std::vector<int64_t> factors;
  for (int64_t p = 2; p * p <= n; ++p)
    for (; n % p == 0; n /= p)
      factors.push_back(p);
  if (n > 1)
    factors.push_back(n);
  return factors;
}

/// The temporal loops left by a spatial unrolling: the prime factors of
/// each dimension's remaining trip count, at most `limit` of them or one
/// per dimension (the smallest two of one dimension are merged, as ZigZag's
/// LOMA does).
std::vector<Loop> temporalFactors(const LoopNest &n, const Extents &spatial,
                                  size_t limit) {
  std::vector<Loop> loops;
  for (size_t d = 0; d < kLoopDims; ++d) {
    int64_t trips = (n.size[d] + int64_t(spatial[d]) - 1) / int64_t(spatial[d]);
    for (int64_t f : primeFactors(trips))
      loops.push_back({LoopDim(d), f});
  }
  while (loops.size() > limit) {
    // The smallest product of two factors of one dimension.
    size_t best = 0, second = 0;
    int64_t bestProduct = INT64_MAX;
    for (size_t i = 0; i < loops.size(); ++i)
      for (size_t j = i + 1; j < loops.size(); ++j)
        if (loops[i].dim == loops[j].dim &&
            loops[i].size * loops[j].size < bestProduct) {
          bestProduct = loops[i].size * loops[j].size;
          best = i;
          second = j;
        }
    if (bestProduct == INT64_MAX)
      break;
    loops[best].size = bestProduct;
    loops.erase(loops.begin() + second);
  }
  return loops;
}

/// Evaluates loop orders for one spatial unrolling.
class Evaluator {
public:
  Evaluator(const LoopNest &n, const Accelerator &acc,
            const std::vector<Loop> &spatial)
      : n(n), acc(acc), spatial(spatial) {
    for (size_t m = 0; m < acc.levels.size(); ++m) {
      const MemoryLevel &level = acc.levels[m];
      Extents served = ones();
      double active = 1;
      for (size_t d = 0; d < spatial.size(); ++d) {
        if (level.serves[d])
          served[spatial[d].dim] *= double(spatial[d].size);
        else
          active *= double(spatial[d].size);
      }
      servedExtents.push_back(served);
      activeInstances.push_back(active);
    }
    for (Operand operand : {I1, I2, O})
      chains[operand] = acc.chain(operand);
    accumulates = n.size[C] * n.size[FY] * n.size[FX] > 1;
  }

  /// Places `order` in the memory levels and counts its traffic; false
  /// (with `why`) when some level cannot hold what it must.
  bool evaluate(const std::vector<Loop> &order, Mapping &out, std::string &why);

private:
  /// The bits of one element of `operand` moving between levels across
  /// loop `cut`: outputs are partial sums while loops they do not depend
  /// on remain above.
  double bitsOf(Operand operand, size_t cut) const {
    if (operand == I1)
      return n.inputBits;
    if (operand == I2)
      return n.weightBits;
    return irrelevantAbove(O, cut) > 1 ? n.psumBits : n.resultBits;
  }
  /// The bits of one element of `operand` held in a level below its top:
  /// outputs accumulate there as partial sums unless nothing is summed.
  double storedBits(Operand operand) const {
    return operand == O && !accumulates ? n.resultBits : bitsOf(operand, 0);
  }
  /// The extents of the temporal loops [0, cut) and the spatial loops one
  /// instance of `level` serves.
  Extents inside(size_t cut, std::optional<size_t> level) const {
    Extents e = level ? servedExtents[*level] : ones();
    for (size_t i = 0; i < cut; ++i)
      e[order[i].dim] *= double(order[i].size);
    return e;
  }
  double above(size_t cut) const {
    double product = 1;
    for (size_t i = cut; i < order.size(); ++i)
      product *= double(order[i].size);
    return product;
  }
  double irrelevantAbove(Operand operand, size_t cut) const {
    double product = 1;
    for (size_t i = cut; i < order.size(); ++i)
      if (!relevant(operand, order[i].dim))
        product *= double(order[i].size);
    return product;
  }
  bool place(Mapping &out, std::string &why);
  void link(Operand operand, std::optional<size_t> lower, size_t upper,
            Mapping &out);
  void add(Mapping &out, size_t level, Operand operand, bool write,
           double periods, double elements, double bits, ActivityKind activity,
           const Extents &span);

  const LoopNest &n;
  const Accelerator &acc;
  const std::vector<Loop> &spatial;
  std::vector<Extents> servedExtents;
  std::vector<double> activeInstances;
  std::array<std::vector<size_t>, kOperands> chains;
  bool accumulates;
  std::vector<Loop> order;
  /// [level][operand] temporal loops inside.
  std::vector<std::array<int, kOperands>> cuts;
};

bool Evaluator::place(Mapping &out, std::string &why) {
  size_t loops = order.size();
  cuts.assign(acc.levels.size(), {-1, -1, -1});
  for (size_t m = 0; m < acc.levels.size(); ++m) {
    const MemoryLevel &level = acc.levels[m];
    size_t lowest = 0;
    std::vector<Operand> buffered;
    double budget = level.sizeBits;
    for (Operand operand : {I1, I2, O}) {
      if (!level.holds[operand])
        continue;
      const std::vector<size_t> &chain = chains[operand];
      auto it = llvm::find(chain, m);
      if (it != chain.begin())
        lowest = std::max<size_t>(lowest, cuts[*(it - 1)][operand]);
      // The top level holds the whole operand (checked by the cost model).
      if (m == chain.back()) {
        cuts[m][operand] = int(loops);
        budget -=
            footprint(n, operand, inside(loops, m)) * bitsOf(operand, loops);
      } else {
        buffered.push_back(operand);
      }
    }
    if (buffered.empty())
      continue;
    auto need = [&](size_t cut) {
      double bits = 0;
      for (Operand operand : buffered)
        bits += footprint(n, operand, inside(cut, m)) * storedBits(operand);
      return bits;
    };
    if (need(lowest) > budget) {
      std::string parts;
      for (Operand operand : buffered)
        parts += formatv("{0}{1} ({2}) {3:F0} bits", parts.empty() ? "" : ", ",
                         operandName(operand), operandMeaning(operand),
                         footprint(n, operand, inside(lowest, m)) *
                             storedBits(operand));
      why = formatv("memory level '{0}' ({1:F0} bits per instance) cannot "
                    "hold the smallest tiles this unrolling gives it: {2}",
                    level.name, level.sizeBits, parts);
      return false;
    }
    size_t cut = lowest;
    while (cut < loops && need(cut + 1) <= budget)
      ++cut;
    for (Operand operand : buffered)
      cuts[m][operand] = int(cut);
  }
  out.inside = cuts;
  out.activeInstances = activeInstances;
  return true;
}

void Evaluator::add(Mapping &out, size_t level, Operand operand, bool write,
                    double periods, double elements, double bits,
                    ActivityKind activity, const Extents &span) {
  if (periods == 0 || elements == 0)
    return;
  const MemoryLevel &m = acc.levels[level];
  Transfer t;
  t.level = level;
  t.operand = operand;
  t.write = write;
  t.bits = periods * elements * bits;
  t.accesses = write ? accessesFor(periods, elements * bits, m.writeGranularity,
                                   m.writeBandwidth)
                     : accessesFor(periods, elements * bits, m.readGranularity,
                                   m.readBandwidth);
  t.activity = activity;
  std::tie(t.neurons, t.steps) = inputSpan(n, span);
  out.transfers.push_back(t);
}

/// The traffic between `upper` and the level below it in `operand`'s chain
/// (`lower`, or the PEs).
void Evaluator::link(Operand operand, std::optional<size_t> lower, size_t upper,
                     Mapping &out) {
  size_t cut = lower ? size_t(cuts[*lower][operand]) : 0;
  double bits = bitsOf(operand, cut);
  Extents upperTile = inside(cut, upper);
  double upperChunk = footprint(n, operand, upperTile);
  double upperPeriods = activeInstances[upper] * above(cut);
  Extents lowerTile = inside(cut, lower);
  double lowerChunk = footprint(n, operand, lowerTile);
  double lowerPeriods = lower ? activeInstances[*lower] * above(cut) : 0;
  if (operand != O) {
    // A transfer is needed when the inputs the lower tile (or the PEs'
    // operand) serves hold a spike. The PEs hold an operand while the
    // innermost loops it does not depend on run: one read serves them all.
    Extents span = lower ? lowerTile : upperTile;
    if (!lower)
      for (const Loop &loop : order) {
        if (relevant(operand, loop.dim))
          break;
        upperPeriods /= double(loop.size);
        span[loop.dim] *= double(loop.size);
      }
    // Weights are fetched for tiles whose inputs hold a spike; inputs
    // travel as spines or bitmaps, and reach the PEs as events.
    ActivityKind fill =
        operand == I1 ? ActivityKind::Spines : ActivityKind::AnySpike;
    add(out, upper, operand, false, upperPeriods, upperChunk, bits,
        lower ? fill : ActivityKind::AnySpike, span);
    if (lower)
      add(out, *lower, operand, true, lowerPeriods, lowerChunk, bits, fill,
          span);
    return;
  }
  // Partial sums go up once per visit of an output from below, and come back
  // down for every visit but the first. From the PEs, an update is needed
  // when one of the inputs summed into it spikes; further up, a spill when
  // the inputs the tile below saw held a spike; the results leave whatever
  // happens.
  double visits = irrelevantAbove(O, cut);
  Extents reduced = upperTile;
  for (size_t d = 0; d < kLoopDims; ++d)
    if (relevant(O, LoopDim(d)))
      reduced[d] = 1;
  ActivityKind spill = ActivityKind::AnySpike;
  Extents span = lower ? lowerTile : reduced;
  double spills = (visits - 1) / visits;
  add(out, upper, O, true, upperPeriods * spills, upperChunk, bits, spill,
      span);
  add(out, upper, O, true, upperPeriods / visits, upperChunk, bits,
      ActivityKind::None, span);
  add(out, upper, O, false, upperPeriods * spills, upperChunk, bits, spill,
      span);
  if (lower) {
    add(out, *lower, O, false, lowerPeriods * spills, lowerChunk, bits, spill,
        span);
    add(out, *lower, O, false, lowerPeriods / visits, lowerChunk, bits,
        ActivityKind::None, span);
    add(out, *lower, O, true, lowerPeriods * spills, lowerChunk, bits, spill,
        span);
  }
}

bool Evaluator::evaluate(const std::vector<Loop> &loops, Mapping &out,
                         std::string &why) {
  order = loops;
  out.spatial = spatial;
  out.temporal = loops;
  out.transfers.clear();
  if (!place(out, why))
    return false;
  out.computeCycles = above(0);
  out.utilisation =
      n.macs() / (out.computeCycles * double(acc.processingElements));
  Extents cycle = ones();
  for (const Loop &loop : spatial)
    cycle[loop.dim] *= double(loop.size);
  std::tie(out.cycleNeurons, out.cycleSteps) = inputSpan(n, cycle);
  // Before the first cycle the innermost tiles of the inputs and the
  // weights come down their chains; after the last, the innermost tile of
  // results goes up. Every other transfer overlaps the loops (ZigZag 3.9
  // likewise borrows spare port cycles from the computation for them).
  out.onloadCycles = out.offloadCycles = 0;
  for (Operand operand : {I1, I2, O}) {
    const std::vector<size_t> &chain = chains[operand];
    double cycles = 0;
    double first =
        footprint(n, operand,
                  inside(size_t(cuts[chain[0]][operand]), chain[0])) *
        (operand == O ? n.resultBits : bitsOf(operand, 0));
    for (size_t j = 0; j < chain.size(); ++j) {
      std::optional<size_t> lower =
          j ? std::optional<size_t>(chain[j - 1]) : std::nullopt;
      link(operand, lower, chain[j], out);
      if (!lower)
        continue;
      const MemoryLevel &m = acc.levels[chain[j]];
      cycles += std::ceil(first /
                          (operand == O ? m.writeBandwidth : m.readBandwidth));
    }
    if (operand == O)
      out.offloadCycles = cycles;
    else
      out.onloadCycles = std::max(out.onloadCycles, cycles);
  }
  return true;
}

/// Every spatial unrolling that the innermost levels can feed, best
/// utilisation first.
std::vector<std::pair<double, std::vector<Loop>>>
spatialCandidates(const LoopNest &n, const Accelerator &acc) {
  std::vector<std::vector<Loop>> options(acc.sizes.size());
  for (size_t d = 0; d < acc.sizes.size(); ++d) {
    options[d].push_back({B, 1});
    for (size_t dim = 0; dim < kLoopDims; ++dim) {
      int64_t most = std::min(n.size[dim], acc.sizes[d]);
      for (int64_t f = 2; f <= most; ++f)
        if (most % f == 0)
          options[d].push_back({LoopDim(dim), f});
    }
  }
  std::vector<std::pair<double, std::vector<Loop>>> candidates;
  std::vector<Loop> chosen(acc.sizes.size());
  std::function<void(size_t)> visit = [&](size_t d) {
    if (d < acc.sizes.size()) {
      for (const Loop &option : options[d]) {
        chosen[d] = option;
        visit(d + 1);
      }
      return;
    }
    Extents e = ones();
    for (const Loop &loop : chosen)
      e[loop.dim] *= double(loop.size);
    double cycles = 1;
    for (size_t dim = 0; dim < kLoopDims; ++dim) {
      if (e[dim] > double(n.size[dim]))
        return;
      cycles *= std::ceil(double(n.size[dim]) / e[dim]);
    }
    // The innermost level of each operand must deliver (or take) the
    // distinct elements of one cycle in one access.
    for (Operand operand : {I1, I2, O}) {
      const MemoryLevel &m = acc.levels[acc.chain(operand).front()];
      Extents served = ones();
      for (size_t a = 0; a < chosen.size(); ++a)
        if (m.serves[a])
          served[chosen[a].dim] *= double(chosen[a].size);
      double bits = operand == I1   ? n.inputBits
                    : operand == I2 ? n.weightBits
                                    : n.psumBits;
      double bandwidth = operand == O ? m.writeBandwidth : m.readBandwidth;
      if (footprint(n, operand, served) > 1 &&
          footprint(n, operand, served) * bits > bandwidth)
        return;
    }
    candidates.push_back(
        {n.macs() / (cycles * double(acc.processingElements)), chosen});
  };
  visit(0);
  std::stable_sort(
      candidates.begin(), candidates.end(),
      [](const auto &a, const auto &b) { return a.first > b.first; });
  return candidates;
}

} // namespace

/// The spatial unrollings tried (the best by utilisation; ZigZag's default
/// is 3) and the most temporal loop factors ordered (720 orders, ZigZag's
/// default); figures within kTie of each other count as equal.
constexpr size_t kSpatialCandidates = 16;
constexpr size_t kTemporalFactors = 6;
constexpr double kTie = 0.01;

double InputActivity::anySpike(double neurons, double steps) const {
  if (!spikes)
    return 1;
  double fires =
      steps >= timesteps ? activeNeurons : 1 - std::pow(1 - density, steps);
  return 1 - std::pow(1 - fires, neurons);
}

double InputActivity::scale(const Transfer &t) const {
  switch (t.activity) {
  case ActivityKind::None:
    return 1;
  case ActivityKind::AnySpike:
    return anySpike(t.neurons, t.steps);
  case ActivityKind::Spines:
    return spikes ? spines : 1;
  }
  return 1;
}

std::optional<Mapping> hw::searchMapping(const LoopNest &n,
                                         const Accelerator &acc,
                                         Objective objective,
                                         const InputActivity &activity,
                                         std::string &why) {
  std::vector<std::pair<double, std::vector<Loop>>> candidates =
      spatialCandidates(n, acc);
  if (candidates.size() > kSpatialCandidates)
    candidates.resize(kSpatialCandidates);
  std::optional<Mapping> best;
  // Scores within kTie count as equal (the model is not that exact); then
  // the other figure decides.
  auto better = [&](const Mapping &a, const Mapping &b) {
    double sa = a.energy, sb = b.energy, ta = a.cycles, tb = b.cycles;
    if (objective == Objective::Latency) {
      std::swap(sa, ta);
      std::swap(sb, tb);
    } else if (objective == Objective::EnergyDelay) {
      sa *= a.cycles;
      sb *= b.cycles;
    }
    if (sa < (1 - kTie) * sb)
      return true;
    return sa <= (1 + kTie) * sb && ta < tb;
  };
  Mapping trial;
  for (const auto &[utilisation, spatial] : candidates) {
    Extents e = ones();
    for (const Loop &loop : spatial)
      e[loop.dim] *= double(loop.size);
    std::vector<Loop> loops = temporalFactors(n, e, kTemporalFactors);
    auto less = [](const Loop &a, const Loop &b) {
      return std::tie(a.dim, a.size) < std::tie(b.dim, b.size);
    };
    std::sort(loops.begin(), loops.end(), less);
    Evaluator evaluator(n, acc, spatial);
    do {
      std::string reason;
      if (!evaluator.evaluate(loops, trial, reason)) {
        if (why.empty())
          why = reason;
        continue;
      }
      MappingCost cost = costOf(trial, acc, activity);
      trial.energy = cost.energy + n.macs() * activity.density * acc.unitEnergy;
      trial.cycles = cost.cycles;
      if (!best || better(trial, *best))
        best = trial;
    } while (std::next_permutation(loops.begin(), loops.end(), less));
  }
  if (best)
    why.clear();
  else if (why.empty())
    why = "no spatial unrolling fits the innermost levels' bandwidth";
  return best;
}

MappingCost hw::costOf(const Mapping &mapping, const Accelerator &acc,
                       const InputActivity &activity) {
  MappingCost c;
  c.traffic.resize(acc.levels.size());
  std::vector<double> reads(acc.levels.size()), writes(acc.levels.size());
  for (const Transfer &t : mapping.transfers) {
    double s = activity.scale(t);
    const MemoryLevel &m = acc.levels[t.level];
    Traffic &x = c.traffic[t.level][t.operand];
    double accesses = t.accesses * s;
    (t.write ? x.writeBits : x.readBits) += t.bits * s;
    x.energy += accesses * (t.write ? m.writeCost : m.readCost);
    x.cycles += accesses / std::max(1.0, mapping.activeInstances[t.level]);
    (t.write ? writes : reads)[t.level] += accesses;
    c.energy += accesses * (t.write ? m.writeCost : m.readCost);
  }
  c.computeCycles =
      std::ceil(mapping.computeCycles *
                activity.anySpike(mapping.cycleNeurons, mapping.cycleSteps));
  // The PEs wait for the first tiles and the last results wait for them;
  // a level's busy time already holds its share of both.
  c.cycles = c.computeCycles + mapping.onloadCycles + mapping.offloadCycles;
  c.bound = std::nullopt;
  double fill = 0;
  for (size_t level = 0; level < acc.levels.size(); ++level) {
    const MemoryLevel &m = acc.levels[level];
    // Each instance moves its share through its own ports.
    double instances = std::max(1.0, mapping.activeInstances[level]);
    double busy = m.sharedPort()
                      ? (reads[level] + writes[level]) / instances
                      : std::max(reads[level], writes[level]) / instances;
    if (reads[level] + writes[level] > 0)
      fill += m.latency;
    if (busy > c.cycles) {
      c.cycles = std::ceil(busy);
      c.bound = level;
    }
  }
  c.cycles += fill;
  return c;
}
