//===- RuntimeModule.cpp - sparseflow._runtime: pybind11 over the C API ---===//
//
// Part of SparseFlow.
//
// A thin layer: numpy arrays in and out, sf_status_t failures raised as
// sparseflow.RuntimeError (code + the runtime's message). The Python-facing
// conveniences (batch chunking, compile) live in sparseflow/runtime.py.
//
//===----------------------------------------------------------------------===//

#include "sparseflow/runtime/api.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace py = pybind11;

namespace {

/// The exception type, set when the module is created.
PyObject *runtimeError = nullptr;

/// Raises the failure as sparseflow.RuntimeError(code_name, message).
void check(sf_status_t status) {
  if (!status)
    return;
  std::string message = sf_status_message(status);
  std::string code = sf_status_code_string(sf_status_code(status));
  sf_status_free(status);
  py::object error = py::reinterpret_borrow<py::object>(runtimeError);
  PyErr_SetObject(runtimeError, error(message, code).ptr());
  throw py::error_already_set();
}

sf_backend_t parseBackend(const std::string &name) {
  for (sf_backend_t backend : {SF_BACKEND_AUTO, SF_BACKEND_HOST,
                               SF_BACKEND_CUDA, SF_BACKEND_SPIKECORE})
    if (name == sf_backend_name(backend))
      return backend;
  throw py::value_error("unknown backend '" + name +
                        "' (auto, host, cuda, spikecore)");
}

/// The instance with `threads` host worker threads (0: one per hardware
/// thread), made on first use and shared by the models loaded with it.
std::shared_ptr<sf_instance_t> sharedInstance(uint32_t threads = 0) {
  static std::mutex mutex;
  static std::map<uint32_t, std::shared_ptr<sf_instance_t>> instances;
  std::lock_guard<std::mutex> lock(mutex);
  std::shared_ptr<sf_instance_t> &instance = instances[threads];
  if (!instance) {
    sf_instance_options_t options;
    sf_instance_options_initialize(&options);
    options.num_threads = threads;
    sf_instance_t *raw = nullptr;
    check(sf_instance_create(&options, nullptr, &raw));
    instance.reset(raw, sf_instance_release);
  }
  return instance;
}

/// The model holds a reference to the instance.
class Model {
public:
  static Model fromFile(const std::string &path, uint32_t threads) {
    Model model;
    sf_model_t *raw = nullptr;
    check(sf_model_create_from_file(sharedInstance(threads).get(), path.c_str(),
                                    nullptr, &raw));
    model.model.reset(raw, sf_model_release);
    return model;
  }
  static Model fromBytes(py::bytes data, uint32_t threads) {
    Model model;
    std::string bytes = data;
    sf_model_t *raw = nullptr;
    check(sf_model_create_from_memory(sharedInstance(threads).get(),
                                      bytes.data(), bytes.size(), nullptr,
                                      &raw));
    model.model.reset(raw, sf_model_release);
    return model;
  }

  std::vector<int64_t> shape(bool input, size_t index) const {
    int64_t dims[SF_MAX_RANK];
    size_t rank = 0;
    check(input ? sf_model_input_shape(model.get(), index, &rank, dims)
                : sf_model_output_shape(model.get(), index, &rank, dims));
    return std::vector<int64_t>(dims, dims + rank);
  }

  std::shared_ptr<sf_model_t> model;
};

/// A DRAM spine image (docs/dram-format.md): the C API's bounds-checked
/// accesses, with numpy arrays for tiles and spike tensors.
class Dram {
public:
  explicit Dram(sf_dram_t *raw) : dram(raw, sf_dram_release) {}
  static Dram fromFile(const std::string &path) {
    sf_dram_t *raw = nullptr;
    check(sf_dram_create_from_file(path.c_str(), nullptr, &raw));
    return Dram(raw);
  }
  static Dram fromModel(const Model &model) {
    sf_dram_t *raw = nullptr;
    check(sf_dram_create_from_model(model.model.get(), nullptr, &raw));
    return Dram(raw);
  }

  sf_dram_layer_info_t info(size_t layer) const {
    sf_dram_layer_info_t info;
    check(sf_dram_layer_info(dram.get(), layer, &info));
    return info;
  }
  size_t layerIndex(const py::object &layer) const {
    if (py::isinstance<py::str>(layer)) {
      size_t index = 0;
      check(sf_dram_find_layer(dram.get(), layer.cast<std::string>().c_str(),
                               &index));
      return index;
    }
    return layer.cast<size_t>();
  }

  py::list layers() const {
    py::list result;
    for (size_t l = 0; l < sf_dram_layer_count(dram.get()); ++l) {
      sf_dram_layer_info_t i = info(l);
      py::dict d;
      d["name"] = i.name;
      d["kind"] = i.kind;
      d["input_shape"] = std::vector<int64_t>(i.input_shape,
                                              i.input_shape + i.input_rank);
      d["output_shape"] = std::vector<int64_t>(
          i.output_shape, i.output_shape + i.output_rank);
      d["weight_shape"] =
          std::vector<int64_t>(i.weight_shape, i.weight_shape + 4);
      d["tile_shape"] = std::vector<int64_t>(i.tile_shape, i.tile_shape + 2);
      d["tiles"] = i.tile_count;
      d["input_address"] = i.input_address;
      d["weight_address"] = i.weight_address;
      d["output_address"] = i.output_address;
      d["input_spines"] = i.input_spines;
      d["output_spines"] = i.output_spines;
      d["output_capacity"] = i.output_capacity;
      result.append(d);
    }
    return result;
  }

  py::tuple loadInputSpine(const py::object &layer, uint32_t spine) const {
    uint32_t neuron = 0;
    uint64_t bits = 0;
    check(sf_dram_load_input_spine(dram.get(), layerIndex(layer), spine,
                                   &neuron, &bits));
    return py::make_tuple(neuron, bits);
  }
  py::array_t<float> loadWeightTile(const py::object &layer,
                                    uint32_t tile) const {
    size_t index = layerIndex(layer);
    sf_dram_layer_info_t i = info(index);
    py::array_t<float> out({i.tile_shape[0], i.tile_shape[1],
                            i.weight_shape[2], i.weight_shape[3]});
    check(sf_dram_load_weight_tile(dram.get(), index, tile,
                                   out.mutable_data(), out.size()));
    return out;
  }
  void storeOutputSpine(const py::object &layer, uint32_t neuron,
                        uint64_t bits) {
    check(sf_dram_store_output_spine(dram.get(), layerIndex(layer), neuron,
                                     bits));
  }
  py::array_t<uint64_t> outputSpines(const py::object &layer) const {
    size_t index = layerIndex(layer);
    uint32_t count = info(index).output_spines;
    py::array_t<uint64_t> out({static_cast<py::ssize_t>(count),
                               static_cast<py::ssize_t>(2)});
    for (uint32_t k = 0; k < count; ++k) {
      uint32_t neuron = 0;
      uint64_t bits = 0;
      check(sf_dram_load_output_spine(dram.get(), index, k, &neuron, &bits));
      out.mutable_at(k, 0) = neuron;
      out.mutable_at(k, 1) = bits;
    }
    return out;
  }
  /// The input spine table as a [T, *input_shape] 0/1 array.
  py::array_t<float> inputSpikes(const py::object &layer) const {
    size_t index = layerIndex(layer);
    sf_dram_layer_info_t i = info(index);
    std::vector<py::ssize_t> shape{sf_dram_timesteps(dram.get())};
    shape.insert(shape.end(), i.input_shape, i.input_shape + i.input_rank);
    py::array_t<float> out(shape);
    check(sf_dram_input_spikes(dram.get(), index, out.mutable_data(),
                               out.size()));
    return out;
  }
  void writeInputSpikes(const py::object &layer,
                        py::array_t<float, py::array::c_style |
                                               py::array::forcecast>
                            spikes) {
    check(sf_dram_write_input_spikes(dram.get(), layerIndex(layer),
                                     spikes.data(), spikes.size()));
  }
  py::bytes read(uint64_t address, size_t size) const {
    std::string bytes(size, '\0');
    check(sf_dram_read(dram.get(), address, bytes.data(), size));
    return py::bytes(bytes);
  }

  std::shared_ptr<sf_dram_t> dram;
};

class Session {
public:
  Session(const Model &model, const std::string &backend, uint64_t seed,
          bool profile, bool spikeLog, bool recordSpines, bool referenceKernels,
          bool recordSpikes)
      : model(model) {
    sf_session_options_t options;
    sf_session_options_initialize(&options);
    options.backend = parseBackend(backend);
    options.seed = seed;
    options.profile = profile;
    options.spike_log = spikeLog;
    options.record_spines = recordSpines;
    options.reference_kernels = referenceKernels;
    options.record_spikes = recordSpikes;
    sf_session_t *raw = nullptr;
    check(sf_session_create(model.model.get(), &options, nullptr, &raw));
    session.reset(raw, sf_session_release);
  }

  std::vector<py::array_t<float>> run(const std::vector<py::array> &inputs) {
    sf_model_t *m = model.model.get();
    std::vector<py::array_t<float>> owned, results;
    std::vector<std::unique_ptr<sf_tensor_t, void (*)(sf_tensor_t *)>> tensors;
    std::vector<sf_tensor_t *> in, out;
    auto wrap = [&](py::array_t<float> &array) {
      std::vector<int64_t> shape(array.shape(), array.shape() + array.ndim());
      sf_tensor_t *tensor = nullptr;
      check(sf_tensor_wrap(shape.data(), shape.size(), array.mutable_data(),
                           array.nbytes(), nullptr, &tensor));
      tensors.emplace_back(tensor, sf_tensor_release);
      return tensor;
    };
    for (const py::array &input : inputs) {
      // A C-contiguous float32 copy when the array is anything else.
      owned.push_back(py::array_t<float, py::array::c_style |
                                             py::array::forcecast>::ensure(input));
      if (!owned.back())
        throw py::type_error("inputs must be numeric arrays");
      in.push_back(wrap(owned.back()));
    }
    for (size_t i = 0; i < sf_model_output_count(m); ++i) {
      results.emplace_back(model.shape(false, i));
      out.push_back(wrap(results.back()));
    }
    {
      py::gil_scoped_release release;
      sf_status_t status =
          sf_session_run(session.get(), in.data(), in.size(), out.data(),
                         out.size());
      py::gil_scoped_acquire acquire;
      check(status);
    }
    return results;
  }

  py::list profile() const {
    py::list layers;
    uint32_t T = sf_model_timesteps(model.model.get());
    for (size_t i = 0; i < sf_session_profile_count(session.get()); ++i) {
      const sf_layer_profile_t *p = sf_session_profile(session.get(), i);
      py::dict layer;
      layer["name"] = p->name;
      layer["op"] = p->op;
      layer["kernel"] = p->kernel;
      layer["target"] = p->target;
      layer["block_size"] = p->block_size;
      layer["runs"] = p->runs;
      layer["seconds"] = p->seconds;
      layer["spike_input"] = static_cast<bool>(p->has_spike_input);
      if (p->has_spike_input) {
        layer["input_neurons"] = p->input_neurons;
        layer["spikes"] = p->spikes;
        layer["silent_neurons"] = p->silent_neurons;
        layer["blocks"] = p->blocks;
        layer["active_blocks"] = p->active_blocks;
        layer["spike_histogram"] = std::vector<uint64_t>(
            p->spike_histogram, p->spike_histogram + T + 1);
      }
      if (p->is_spikecore) {
        const sf_spikecore_profile_t &c = p->spikecore;
        py::dict core;
        core["first_core"] = c.first_core;
        core["cycles"] = c.cycles;
        core["instructions"] = c.instructions;
        core["acc_events"] = c.acc_events;
        core["acc_ops"] = c.acc_ops;
        core["leak_ops"] = c.leak_ops;
        core["bias_ops"] = c.bias_ops;
        core["fire_ops"] = c.fire_ops;
        core["out_ops"] = c.out_ops;
        core["spikes"] = c.spikes;
        core["saturations"] = c.saturations;
        core["input_clamps"] = c.input_clamps;
        core["energy_pj"] = c.energy_pj < 0 ? py::object(py::none())
                                            : py::object(py::float_(c.energy_pj));
        core["core_spikes"] = std::vector<uint64_t>(
            c.core_spikes, c.core_spikes + c.core_count);
        layer["spikecore"] = core;
      }
      layers.append(layer);
    }
    return layers;
  }

  /// The last run's SpikeCore events as an [E, 5] uint32 array: op, sample,
  /// step, neuron, payload.
  py::array_t<uint32_t> spikeLog() const {
    const sf_spike_event_t *events = nullptr;
    size_t count = sf_session_spike_log(session.get(), &events);
    py::array_t<uint32_t> array({static_cast<py::ssize_t>(count),
                                 static_cast<py::ssize_t>(5)});
    static_assert(sizeof(sf_spike_event_t) == 5 * sizeof(uint32_t));
    if (count)
      std::memcpy(array.mutable_data(), events, count * sizeof(*events));
    return array;
  }

  /// The spikes each spike-writing op wrote in the last run: {op name:
  /// bool array [T, *output shape]}, in plan order.
  py::dict recordedSpikes() const {
    py::dict result;
    const sf_model_t *m = model.model.get();
    uint32_t T = sf_model_timesteps(m);
    for (size_t i = 0; i < sf_model_op_count(m); ++i) {
      size_t rank = 0;
      int64_t shape[SF_MAX_RANK];
      const uint64_t *words =
          sf_session_recorded_spikes(session.get(), i, &rank, shape);
      if (!words)
        continue;
      std::vector<py::ssize_t> dims{static_cast<py::ssize_t>(T)};
      size_t n = 1;
      for (size_t d = 0; d < rank; ++d) {
        dims.push_back(static_cast<py::ssize_t>(shape[d]));
        n *= static_cast<size_t>(shape[d]);
      }
      py::array_t<bool> array(dims);
      bool *out = array.mutable_data();
      for (uint32_t t = 0; t < T; ++t)
        for (size_t k = 0; k < n; ++k)
          out[t * n + k] = (words[k] >> t) & 1u;
      result[py::str(sf_model_op_name(m, i))] = array;
    }
    return result;
  }

  Dram recordedSpines(size_t sample) const {
    sf_dram_t *raw = nullptr;
    check(sf_session_recorded_spines(session.get(), sample, nullptr, &raw));
    return Dram(raw);
  }

private:
  Model model;
  std::shared_ptr<sf_session_t> session;
};

} // namespace

PYBIND11_MODULE(_runtime, m) {
  m.doc() = "SparseFlow runtime (C API bindings); use sparseflow.load().";
  // sparseflow.RuntimeError(message, code)
  py::object base = py::module_::import("builtins").attr("RuntimeError");
  py::object error = py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(
      "sparseflow.RuntimeError",
      "A failure reported by the SparseFlow runtime; args: (message, code).",
      base.ptr(), nullptr));
  runtimeError = error.ptr();
  m.attr("RuntimeError") = error;

  py::class_<Model>(m, "Model")
      .def_static("from_file", &Model::fromFile, py::arg("path"),
                  py::arg("threads") = 0)
      .def_static("from_bytes", &Model::fromBytes, py::arg("data"),
                  py::arg("threads") = 0)
      .def_property_readonly("timesteps",
                             [](const Model &self) {
                               return sf_model_timesteps(self.model.get());
                             })
      .def_property_readonly("encoding",
                             [](const Model &self) {
                               static const char *names[] = {"direct", "rate",
                                                             "spikes"};
                               return names[sf_model_encoding(self.model.get())];
                             })
      .def_property_readonly("readout",
                             [](const Model &self) {
                               static const char *names[] = {"mean", "sum",
                                                             "last", "all"};
                               return names[sf_model_readout(self.model.get())];
                             })
      .def_property_readonly("producer",
                             [](const Model &self) {
                               return std::string(
                                   sf_model_producer(self.model.get()));
                             })
      .def_property_readonly("input_shapes",
                             [](const Model &self) {
                               std::vector<std::vector<int64_t>> shapes;
                               for (size_t i = 0;
                                    i < sf_model_input_count(self.model.get());
                                    ++i)
                                 shapes.push_back(self.shape(true, i));
                               return shapes;
                             })
      .def_property_readonly("output_shapes", [](const Model &self) {
        std::vector<std::vector<int64_t>> shapes;
        for (size_t i = 0; i < sf_model_output_count(self.model.get()); ++i)
          shapes.push_back(self.shape(false, i));
        return shapes;
      });

  py::class_<Session>(m, "Session")
      .def(py::init<const Model &, const std::string &, uint64_t, bool, bool,
                    bool, bool, bool>(),
           py::arg("model"), py::arg("backend") = "auto", py::arg("seed") = 0,
           py::arg("profile") = false, py::arg("spike_log") = false,
           py::arg("record_spines") = false,
           py::arg("reference_kernels") = false,
           py::arg("record_spikes") = false)
      .def("run", &Session::run, py::arg("inputs"))
      .def("profile", &Session::profile)
      .def("spike_log", &Session::spikeLog)
      .def("recorded_spikes", &Session::recordedSpikes)
      .def("recorded_spines", &Session::recordedSpines, py::arg("sample"));

  // Layers are named by index or by name.
  py::class_<Dram>(m, "Dram")
      .def_static("from_file", &Dram::fromFile, py::arg("path"))
      .def_static("from_model", &Dram::fromModel, py::arg("model"))
      .def_property_readonly("timesteps",
                             [](const Dram &self) {
                               return sf_dram_timesteps(self.dram.get());
                             })
      .def_property_readonly("size",
                             [](const Dram &self) {
                               return sf_dram_size(self.dram.get());
                             })
      .def_property_readonly("layers", &Dram::layers)
      .def("load_input_spine", &Dram::loadInputSpine, py::arg("layer"),
           py::arg("spine"))
      .def("load_weight_tile", &Dram::loadWeightTile, py::arg("layer"),
           py::arg("tile"))
      .def("store_output_spine", &Dram::storeOutputSpine, py::arg("layer"),
           py::arg("neuron"), py::arg("bits"))
      .def("output_spines", &Dram::outputSpines, py::arg("layer"))
      .def("reset_outputs",
           [](Dram &self, const py::object &layer) {
             check(sf_dram_reset_outputs(self.dram.get(),
                                         self.layerIndex(layer)));
           },
           py::arg("layer"))
      .def("input_spikes", &Dram::inputSpikes, py::arg("layer"))
      .def("write_input_spikes", &Dram::writeInputSpikes, py::arg("layer"),
           py::arg("spikes"))
      .def("read", &Dram::read, py::arg("address"), py::arg("size"))
      .def("save",
           [](const Dram &self, const std::string &path) {
             check(sf_dram_save(self.dram.get(), path.c_str()));
           },
           py::arg("path"))
      .def("memory_map", [](Dram &self, bool json) {
        return std::string(sf_dram_memory_map(self.dram.get(), json));
      }, py::arg("json") = false);

  m.def("runtime_version", [] {
    const sf_runtime_version_t *v = sf_runtime_version();
    py::dict version;
    version["major"] = v->major;
    version["minor"] = v->minor;
    version["patch"] = v->patch;
    version["string"] = v->string;
    version["artifact_major"] = v->artifact_major;
    version["artifact_minor"] = v->artifact_minor;
    version["dram_major"] = v->dram_major;
    version["dram_minor"] = v->dram_minor;
    return version;
  });

  m.def("has_backend", [](const std::string &name) {
    return sf_instance_has_backend(sharedInstance().get(), parseBackend(name)) !=
           0;
  });
}
