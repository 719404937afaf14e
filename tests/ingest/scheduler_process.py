"""A Dask LocalCluster (scheduler plus worker processes) in a process of its own, for a test to kill.

Prints the scheduler's address on its first line, then waits until it is killed.
"""

from __future__ import annotations

import sys
import time

if __name__ == "__main__":
    import dask
    from distributed import LocalCluster

    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, scheduler_port=0,
                               host="127.0.0.1", dashboard_address=None, silence_logs=40)
    cluster.wait_for_workers(workers, timeout=300)
    print(cluster.scheduler_address, flush=True)
    while True:
        time.sleep(60)
