"""The package's infrastructure, the bottom layer: its error types (:mod:`~pairing1d.support.errors`), files written
atomically (:mod:`~pairing1d.support.files`), TOML input (:mod:`~pairing1d.support.toml_io`), the local or remote Dask
cluster (:mod:`~pairing1d.support.dask_cluster`), the versions and machine a result was computed with
(:mod:`~pairing1d.support.environment`), child processes (:mod:`~pairing1d.support.subprocesses`), the citation
(:mod:`~pairing1d.support.citation`) and the example files shipped in the wheel (:mod:`~pairing1d.support.packaged`).
Nothing here imports any other module of the package (only ``pairing1d.__version__``, read from the installed metadata);
every layer may import it.
"""
