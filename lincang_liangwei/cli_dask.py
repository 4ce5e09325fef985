"""Dask execution of the tiles for ``liangwei --scheduler`` (never imported inside QGIS)."""
from __future__ import annotations


def dask_mapper(scheduler: str, log, workers: int = 2):
    """(mapper, close): ``mapper(func, args_list)`` runs one task per tile on Dask and returns the results
    in order; ``close()`` shuts down what was started here."""
    from .cli_io import InputError

    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise InputError("--scheduler needs dask.distributed: pip install \"dask[distributed]\"") from exc
    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
        log.info(f"Dask LocalCluster with {workers} workers")
    else:
        cluster = None
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise InputError(f"--scheduler: cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        log.info(f"Dask scheduler {scheduler}: {len(client.scheduler_info().get('workers', {}))} workers")

    def mapper(func, args_list):
        futures = [client.submit(func, *args, pure=False) for args in args_list]
        return client.gather(futures)

    def close():
        client.close()
        if cluster is not None:
            cluster.close()

    return mapper, close
