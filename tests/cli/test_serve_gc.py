"""`modelatlas serve` spaces out the collector after startup; embedders keep CPython's."""

from __future__ import annotations

import json
import subprocess
import sys

from modelatlas.cli import GC_THRESHOLD
from modelatlas.config import Settings

_PROBE = """
import gc, json
before = (gc.get_threshold(), gc.get_freeze_count())
import modelatlas.api, modelatlas.cli
imported = (gc.get_threshold(), gc.get_freeze_count())
modelatlas.cli.tune_gc()
print(json.dumps({"before": before, "imported": imported,
                  "after": (gc.get_threshold(), gc.get_freeze_count())}))
"""


def test_tune_gc_freezes_startup_and_raises_the_young_threshold() -> None:
    # A fresh interpreter, so this test process keeps its own collector settings.
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    seen = json.loads(done.stdout)
    assert seen["before"] == seen["imported"], "importing the package must not touch the GC"
    threshold, frozen = seen["after"]
    assert tuple(threshold) == GC_THRESHOLD
    assert frozen > 10_000, "the imported schema and app modules are frozen"


def test_gc_tuning_is_on_by_default_and_can_be_turned_off() -> None:
    assert Settings().gc_tuning is True
    assert Settings.model_validate({"MODELATLAS_GC_TUNING": "false"}).gc_tuning is False
