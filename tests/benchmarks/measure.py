"""Run a command once; print its wall time and peak memory as JSON.

A fresh interpreter per measurement, so RUSAGE_CHILDREN's peak is the
command's own.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

start = time.perf_counter()
completed = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - start
peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"wall": wall, "peak_mib": peak_mib, "code": completed.returncode,
                  "stdout": completed.stdout[-2000:], "stderr": completed.stderr[-2000:]}))
