"""The package's infrastructure, the bottom layer: its error types (:mod:`.errors`), files written atomically
(:mod:`.files`), TOML input (:mod:`.toml_io`), the local or remote Dask cluster (:mod:`.dask_cluster`), the versions
and machine a result was computed with (:mod:`.environment`), child processes (:mod:`.subprocesses`), the citation
(:mod:`.citation`) and the example files shipped in the wheel (:mod:`.packaged`). Nothing here imports any other
module of the package (only ``pairing1d.__version__``, read from the installed metadata); every layer may import it.
"""
