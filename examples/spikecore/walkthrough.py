"""The SpikeCore flow on MNIST, end to end, for both shipped networks:
export to ONNX, quantize and compile for SpikeCore (calibrated on 100
held-out images), print the generated assembly, simulate the 1000 held-out
images, compare with the float PyTorch model, and plot the spike raster,
the weight distributions and the partitioned graph.

usage: PYTHONPATH=python SPARSEFLOW_BIN_DIR=build/bin \\
           /usr/bin/python3 examples/spikecore/walkthrough.py [OUT_DIR] [--train]
--train retrains the networks first (examples/spikecore/train.py).
"""

import pathlib
import subprocess
import sys

import numpy as np

import sparseflow
import sparseflow.plot
from sparseflow.runtime import _sfc
from sparseflow.spikecore import quantized_layers

import models


def sfc(*args) -> str:
    return subprocess.run([_sfc(), "compile", *map(str, args)], check=True,
                          capture_output=True, text=True).stdout


def walk(name: str, out: pathlib.Path, images, labels):
    onnx_path = out / f"{name}.onnx"
    calibration = out / "calibration.npy"
    models.export(name, onnx_path)
    flags = ["--targets=spikecore", f"--calibration={calibration}"]
    print(f"== {name}: T = {models.TIMESTEPS[name]}")
    asm = sfc(onnx_path, *flags, "--emit=asm")
    print("\n".join(asm.splitlines()[:12]), "\n  ...")
    report = out / f"{name}.report.json"
    layers = quantized_layers(sfc(onnx_path, *flags, "--emit=spikecore-json",
                                  f"--report-json={report}"))

    model = sparseflow.compile(onnx_path, out / f"{name}.sfa", targets="spikecore",
                               calibration=calibration)
    session = model.session(backend="spikecore", profile=True, spike_log=True)
    scores, first_log = [], None
    for i in range(len(images)):
        scores.append(session.run([images[i:i + 1]])[0])
        if i == 0:
            first_log = session.spike_log()
    scores = np.concatenate(scores)
    reference = models.reference(name, models.trained(name), images).numpy()
    agreement = (scores.argmax(1) == reference.argmax(1)).mean()
    print(f"top-1 agreement with PyTorch: {agreement:.4f}; accuracy SpikeCore "
          f"{(scores.argmax(1) == labels).mean():.4f}, PyTorch "
          f"{(reference.argmax(1) == labels).mean():.4f} ({len(images)} images)")
    for layer in session.profile():
        c = layer["spikecore"]
        print(f"  {layer['name']}: {c['cycles'] / len(images):.0f} cycles/image, "
              f"ACC {c['acc_ops'] / len(images):.0f}, FIRE {c['fire_ops'] / len(images):.0f}, "
              f"LEAK {c['leak_ops'] / len(images):.0f}, events out "
              f"{c['spikes'] / len(images):.1f} per image, cores "
              f"{c['first_core']}-{c['first_core'] + len(c['core_spikes']) - 1}")

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 3, figsize=(16, 4))
    sparseflow.plot.spike_raster(first_log, op=0, ax=axes[0],
                                 title=f"{layers[0]['name']}: events, image 0")
    sparseflow.plot.weight_histograms(layers, ax=axes[1])
    sparseflow.plot.partition_graph(report.read_text(), ax=axes[2])
    figure.tight_layout()
    figure.savefig(out / f"{name}.png", dpi=100)
    print(f"plots: {out / f'{name}.png'}")
    return agreement


def main():
    args = [a for a in sys.argv[1:] if a != "--train"]
    out = pathlib.Path(args[0] if args else "spikecore-walkthrough")
    out.mkdir(parents=True, exist_ok=True)
    if "--train" in sys.argv:
        import train
        train.main()
    images, labels = models.heldout()
    np.save(out / "calibration.npy", images[:100])
    for name in models.BUILDERS:
        walk(name, out, images, labels)


if __name__ == "__main__":
    main()
