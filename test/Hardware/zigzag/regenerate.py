#!/usr/bin/env python3
"""Runs ZigZag on the layers of layers.json for each preset in hardware/ and
writes the results the agreement test compares `sfc estimate` with
(golden-<preset>.json beside this script).

    python3 -m venv --system-site-packages /tmp/zigzag-venv
    /tmp/zigzag-venv/bin/pip install --no-deps zigzag-dse==3.9.1 networkx tqdm \
        typeguard 'typing_extensions>=4.12' cerberus multiprocessing_on_dill dill
    /tmp/zigzag-venv/bin/python test/Hardware/zigzag/regenerate.py

(--no-deps keeps pip from pulling torch/CUDA wheels or pandas; the modules
imported below need only those.) The inputs ZigZag reads are written from
our own files: the accelerator from hardware/<preset>.yaml (each level's
r_bw/w_bw become ports, its min_r/w_granularity the ports' bandwidth_min,
rw_port: 1 one shared read-write port), one workload per layer (T is the
batch dimension B, 1-bit spike inputs, 16-bit partial sums, 1-bit spiking
or 16-bit graded results), and a mapping that leaves the spatial unrolling
and the temporal loop order to ZigZag's own search (SpatialMappingGenerator
with --spatial-candidates, 16 by default as sfc tries, instead of ZigZag's
default 3; LOMA with the default lpf_limit 6), keeping the mapping with
least energy. A layer ZigZag finds no mapping for is recorded with its
error. Each golden records the command that wrote it.
"""

import argparse
import json
import logging
import pathlib
import tempfile

import yaml

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[2]
PRESETS = ["edge-tpu-like", "seneca-like"]
MEMORY_OPERAND = {"I1": "I", "I2": "W", "O": "O"}


def zigzag_accelerator(preset):
    """hardware/<preset>.yaml in ZigZag 3.9's accelerator format."""
    ours = yaml.safe_load((REPO / "hardware" / f"{preset}.yaml").read_text())
    memories = {}
    for name, m in ours["memories"].items():
        reads = [f"{op}, tl" for op in m["operands"]] + (["O, th"] if "O" in m["operands"] else [])
        writes = [f"{op}, fh" for op in m["operands"]] + (["O, fl"] if "O" in m["operands"] else [])

        def port(kind, index, bw, granularity, allocation):
            return {"name": f"{kind}_port_{index}", "type": {"r": "read", "w": "write", "rw": "read_write"}[kind],
                    "bandwidth_min": int(granularity), "bandwidth_max": int(bw), "allocation": allocation}

        if m.get("rw_port", 0) and not m.get("r_port", 0) and not m.get("w_port", 0):
            ports = [port("rw", 1, m["r_bw"], m.get("min_r_granularity", m["r_bw"]), reads + writes)]
        else:
            ports = [port("r", 1, m["r_bw"], m.get("min_r_granularity", m["r_bw"]), reads),
                     port("w", 1, m["w_bw"], m.get("min_w_granularity", m["w_bw"]), writes)]
        memories[name] = {
            "size": int(m["size"]), "r_cost": float(m["r_cost"]), "w_cost": float(m["w_cost"]),
            "area": 0, "latency": int(m.get("latency", 1)), "operands": list(m["operands"]),
            "ports": ports,
            # sfc: absent means one instance for the whole array, as every dimension served.
            "served_dimensions": list(m.get("served_dimensions", ours["operational_array"]["dimensions"])),
        }
    array = ours["operational_array"]
    return {"name": ours["name"], "memories": memories,
            "operational_array": {"unit_energy": float(array["unit_energy"]), "unit_area": 1,
                                  "dimensions": list(array["dimensions"]), "sizes": list(array["sizes"])}}


def zigzag_workload(layer, timesteps, precision):
    kh, kw = layer["kernel"]
    ih, iw = layer["input"]
    s, p = layer["stride"], layer["padding"]
    oh, ow = (ih + 2 * p - kh) // s + 1, (iw + 2 * p - kw) // s + 1
    node = {
        "id": 0, "name": layer["name"], "operator_type": "Gemm" if layer.get("linear") else "Conv",
        "equation": "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]",
        "dimension_relations": [f"ix={s}*ox+1*fx", f"iy={s}*oy+1*fy"],
        "loop_dims": ["B", "K", "C", "OY", "OX", "FY", "FX"],
        "loop_sizes": [timesteps, layer["out_channels"], layer["in_channels"], oh, ow, kh, kw],
        "operand_precision": {"I": 1 if layer["spike_input"] else precision["I1"], "W": precision["I2"],
                              "O": precision["O"], "O_final": 1 if layer["spiking_output"] else precision["O"]},
        "operand_source": {"I": 0},
    }
    if p:
        node["pr_loop_dims"] = ["IX", "IY"]
        node["padding"] = [[p, p], [p, p]]
    return [node]


def run_zigzag(accelerator, workload, mapping, dump, spatial_candidates):
    # The stages of zigzag.api.get_hardware_performance_zigzag, without the
    # visualisation and save stages (they need seaborn and pandas).
    from zigzag.stages.evaluation.cost_model_evaluation import CostModelStage
    from zigzag.stages.main import MainStage
    from zigzag.stages.mapping.spatial_mapping_generation import SpatialMappingGeneratorStage
    from zigzag.stages.mapping.temporal_mapping_generator_stage import TemporalMappingGeneratorStage
    from zigzag.stages.parser.accelerator_parser import AcceleratorParserStage
    from zigzag.stages.parser.workload_parser import WorkloadParserStage
    from zigzag.stages.results.reduce_stages import MinimalEnergyStage, SumStage
    from zigzag.stages.workload_iterator import WorkloadStage
    from zigzag.mapping.temporal_mapping import TemporalMappingType

    stages = [WorkloadParserStage, AcceleratorParserStage, SumStage, WorkloadStage, MinimalEnergyStage,
              SpatialMappingGeneratorStage, MinimalEnergyStage, TemporalMappingGeneratorStage, CostModelStage]
    main = MainStage(stages, accelerator=accelerator, workload=workload, mapping=mapping, dump_folder=dump,
                     loma_lpf_limit=6, loma_show_progress_bar=False, nb_mappings_generated=spatial_candidates,
                     enable_mix_spatial_mapping_generation=False,
                     access_same_data_considered_as_no_access=True,
                     temporal_mapping_type=TemporalMappingType("uneven"))
    return main.run()[0][1][0][0]


def summarise(cme, accelerator):
    """Energy per memory level and operand (pJ), MAC energy, latency."""
    hierarchy = cme.accelerator.memory_hierarchy
    levels = {name: {"I1": 0.0, "I2": 0.0, "O": 0.0} for name in accelerator["memories"]}
    links = cme.layer.memory_operand_links
    for layer_op, breakdown in cme.mem_energy_breakdown.items():
        mem_op = links.layer_to_mem_op(layer_op)
        for level, energy in zip(hierarchy.get_memory_levels(mem_op), breakdown):
            levels[level.name][str(mem_op)] += float(energy)
    return {
        "energy_pj": float(cme.energy_total),
        "mac_energy_pj": float(cme.mac_energy),
        "levels_pj": levels,
        "cycles": float(cme.latency_total2),
        "ideal_cycles": float(cme.ideal_cycle),
        "computation_cycles": float(cme.latency_total0),
        "spatial_utilization": float(cme.mac_spatial_utilization),
        "spatial_mapping": str(cme.layer.spatial_mapping),
        "temporal_mapping": str(cme.temporal_mapping).strip(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="one layer name (for debugging; writes nothing)")
    parser.add_argument("--preset", choices=PRESETS, action="append",
                        help="regenerate only this preset (repeatable; default: all)")
    parser.add_argument("--spatial-candidates", type=int, default=16,
                        help="spatial mappings ZigZag evaluates per layer (its default is 3; sfc tries 16)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    import importlib.metadata
    version = importlib.metadata.version("zigzag-dse")
    spec = json.loads((HERE / "layers.json").read_text())
    for preset in args.preset or PRESETS:
        ours = yaml.safe_load((REPO / "hardware" / f"{preset}.yaml").read_text())
        precision = {"I1": 8, "I2": 8, "O": 16, **ours.get("operand_precision", {})}
        accelerator = zigzag_accelerator(preset)
        results = {}
        with tempfile.TemporaryDirectory() as tmp:
            tmp = pathlib.Path(tmp)
            acc_file = tmp / "accelerator.yaml"
            acc_file.write_text(yaml.safe_dump(accelerator, sort_keys=False))
            map_file = tmp / "mapping.yaml"
            map_file.write_text(yaml.safe_dump([{"name": "default", "memory_operand_links":
                                                 {"O": "O", "W": "I2", "I": "I1"}}]))
            for layer in spec["layers"]:
                if args.only and layer["name"] != args.only:
                    continue
                work_file = tmp / f"{layer['name']}.yaml"
                work_file.write_text(yaml.safe_dump(zigzag_workload(layer, spec["timesteps"], precision),
                                                    sort_keys=False))
                try:
                    cme = run_zigzag(str(acc_file), str(work_file), str(map_file), str(tmp / "out"),
                                     args.spatial_candidates)
                except Exception as error:  # ZigZag asserts on mappings it cannot place
                    results[layer["name"]] = {"zigzag_error": f"{type(error).__name__}: {error}"}
                    print(f"{preset} {layer['name']}: ZigZag failed: {error}")
                    continue
                results[layer["name"]] = summarise(cme, accelerator)
                r = results[layer["name"]]
                print(f"{preset} {layer['name']}: {r['energy_pj']:.1f} pJ, {r['cycles']:.0f} cycles, "
                      f"utilization {r['spatial_utilization']:.3f}, {r['spatial_mapping']}")
        if args.only:
            continue
        golden = {
            "generated_by": "test/Hardware/zigzag/regenerate.py",
            "zigzag_version": version,
            "search": f"spatial: SpatialMappingGenerator, {args.spatial_candidates} candidates; temporal: LOMA, "
                      "lpf_limit 6, uneven; kept: least energy",
            "command": "test/Hardware/zigzag/regenerate.py " + " ".join(
                [f"--preset={preset}", f"--spatial-candidates={args.spatial_candidates}"]),
            "accelerator": accelerator,
            "layers": results,
        }
        (HERE / f"golden-{preset}.json").write_text(json.dumps(golden, indent=1, sort_keys=False) + "\n")


if __name__ == "__main__":
    main()
