"""Shared fixtures: where the built tools are, and how to run them."""

import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN_DIR = pathlib.Path(os.environ.get("SPARSEFLOW_BIN_DIR", REPO / "build" / "bin"))


def run_sfc(*args, check=True):
    """Runs build/bin/sfc; returns the CompletedProcess."""
    sfc = BIN_DIR / "sfc"
    if not sfc.exists():
        pytest.fail(f"{sfc} is missing: build the project first (./scripts/build.sh)")
    result = subprocess.run([str(sfc), *map(str, args)], capture_output=True, text=True)
    if check and result.returncode != 0:
        pytest.fail(f"sfc {' '.join(map(str, args))} failed:\n{result.stderr}")
    return result
