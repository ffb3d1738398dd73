"""Model flags shared by every command that builds a :class:`~pairing1d.theory.model.Model`, and parameter files.

Each flag is defined once here; a TOML file given with ``--params`` uses the same names (``u-ratio`` or
``u_ratio``), and flags given on the command line override it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from ..support.toml_io import read_toml
from ..theory.model import FLOWS, REGULATORS, SCHEMES, VELOCITIES, Model
from ._app import InputError

_DEFAULTS = Model()


def _help(text: str, name: str) -> str:
    return f"{text} (default {getattr(_DEFAULTS, name):g})"


# One definition of each model flag, shared by every command that builds a Model.
Kc0Opt = Annotated[float | None, typer.Option("--Kc0", help=_help("Bare primary charge Luttinger parameter", "Kc0"))]
K0Opt = Annotated[float | None, typer.Option("--K0", help=_help("Bare secondary Luttinger parameter", "K0"))]
Ys0Opt = Annotated[float | None, typer.Option("--ys0", help=_help("Bare spin fugacity ys, in (-1, 1)", "ys0"))]
Y0Opt = Annotated[float | None, typer.Option("--y0", help=_help("Bare inter-wire backscattering y1", "y0"))]
Y2Opt = Annotated[float | None, typer.Option("--y2", help=_help("Bare y2 (particle-like channel)", "y2"))]
UpsOpt = Annotated[float | None, typer.Option("--upsilon", help=_help("Forward coupling upsilon, Eq. (14)", "upsilon"))]
URatioOpt = Annotated[float | None, typer.Option("--u-ratio", help=_help("Velocity ratio u/uc", "u_ratio"))]
UpsThetaOpt = Annotated[
    float | None,
    typer.Option("--upsilon-theta", help="Forward coupling of the currents, V_theta/(pi sqrt(uc u Kc K)), in (-1, 1); "
                 "default: the line of Eq. (13), -u_ratio*upsilon (a pure density coupling, Eq. 6, has 0)"),
]
LstarOpt = Annotated[
    float | None, typer.Option("--lstar", help=_help("Cutoff l*_1 of y1, Eq. (15); inf = commensurate", "lstar"))
]
Lstar2Opt = Annotated[float | None, typer.Option("--lstar2", help=_help("Cutoff l*_2 of y2, Eq. (15)", "lstar2"))]
ChiOpt = Annotated[float | None, typer.Option("--chi", help=_help("Width of the smooth cutoff c(l)", "chi"))]
LmaxOpt = Annotated[float | None, typer.Option("--lmax", help="Infrared end of the flow (default 20)")]
TempOpt = Annotated[float | None, typer.Option("--temperature", help="T/Lambda in (0,1); sets lmax = ln(Lambda/T)")]
LmassOpt = Annotated[
    float | None, typer.Option("--lmass", help=_help("Mass cutoff l_m, Eq. (B1); inf = no mass", "lmass"))
]
YStrongOpt = Annotated[
    float | None, typer.Option("--y-strong", help=_help("|y1| taken as strong coupling", "y_strong"))
]
Su2Opt = Annotated[
    bool | None,
    typer.Option("--su2/--no-su2", help="Enforce Ks = 1 + ys/2 where the coupling keeps SU(2), i.e. theta = 0 "
                 "(default --su2)"),
]
SchemeOpt = Annotated[
    str | None,
    typer.Option("--scheme", help=f"Cutoff scheme: {' | '.join(SCHEMES)} (default cic: commensurate-incommensurate "
                 "RG; printed and frozen are the paper's tanh cutoff c(l))"),
]
FlowOpt = Annotated[
    str | None,
    typer.Option("--flow", help=f"Second-order flow: {' | '.join(FLOWS)} (default consistent: every vertex feeds "
                 "back on the correlation matrix; paper: Eq. (16) as printed, line (13) only; diagonal: Eq. (16)'s "
                 "truncation on the exact Gaussian start, anywhere)"),
]
RegulatorOpt = Annotated[
    str | None,
    typer.Option("--regulator", help=f"Regulator of the cic cutoff: {' | '.join(REGULATORS)} (default j01: J0 weight, "
                 "vertex dropped at J0's first zero; delta1: dropped at delta = 1; smooth: exp(-delta^2/4))"),
]
VelocityOpt = Annotated[
    str | None,
    typer.Option("--velocity", help=f"Reference velocity of the second-order terms: {' | '.join(VELOCITIES)} "
                 "(default mean: (uc + u)/2, the paper's normalization of y; charge: uc; secondary: u)"),
]
ThetaOpt = Annotated[
    float | None,
    typer.Option("--theta", help=_help("Relative phase of g_up, g_down (Sec. II B 4); theta != 0 breaks SU(2)",
                                       "theta")),
]
VertexOpt = Annotated[
    float | None,
    typer.Option("--vertex-charge", help="Secondary charge p in cos(sqrt2 phi_c + p phi): 2 wire, 1 Mott ladder "
                 "(default 2)"),
]
ParamsOpt = Annotated[
    Path | None, typer.Option("--params", help="TOML file of model parameters (same names as the flags)")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of the summary")]


def load_params(path: Path) -> dict[str, Any]:
    """Model parameters from a TOML file whose keys are the flag names (``u-ratio`` or ``u_ratio``)."""
    raw = read_toml(path, "parameter file", InputError)
    known = set(Model.field_names())
    out = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name not in known:
            raise InputError(
                f"parameter file {str(path)!r}: unknown parameter {key!r} (known: {', '.join(sorted(known))})"
            )
        out[name] = value
    return out


def build_model(params_file: Path | None, **flags: Any) -> Model:
    """Model from defaults, then the parameter file, then the flags given on the command line."""
    return Model(**model_values(params_file, **flags))


def model_values(params_file: Path | None, **flags: Any) -> dict[str, Any]:
    """The Model fields set by the parameter file and the flags given (flags win); defaults left out."""
    values = load_params(params_file) if params_file is not None else {}
    values.update({k: v for k, v in flags.items() if v is not None})
    if flags.get("lmax") is not None and flags.get("temperature") is None:
        values.pop("temperature", None)  # a flag overrides a temperature set in the file
    if flags.get("temperature") is not None and flags.get("lmax") is None:
        values.pop("lmax", None)
    return values


def json_safe(obj: Any) -> Any:
    """Strict JSON (docs/outputs.md): NaN (not computed) becomes null, an infinity (an infinite cutoff) the string
    "inf" or "-inf"; numpy scalars become numbers."""
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None if math.isnan(obj) else str(obj)
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    return obj


def print_json(obj: Any, indent: int | None = None) -> None:
    """The ``--json`` output of every command: strict JSON (:func:`json_safe`) on one line or indented."""
    import json

    print(json.dumps(json_safe(obj), allow_nan=False, indent=indent))


def _path_check(check_name: str):
    """A Typer callback running ``pairing1d.support.files.<check_name>`` on an output path while the flags are parsed,
    before
    any work: a bad name is the flag's one-line usage error."""
    def callback(value: Path | None) -> Path | None:
        from ..support import files
        from ..support.errors import ModelError

        if value is not None:
            try:
                getattr(files, check_name)(value)
            except ModelError as exc:
                raise typer.BadParameter(str(exc)) from None
        return value
    return callback


_figure_path = _path_check("check_figure_path")
output_path = _path_check("check_output_path")
"""Callback of an output-file option (``--netcdf``): not a directory, not through a file."""


def plot_option(help: str) -> Any:
    """The ``--plot FILE`` option of a command, with ``help``; the file's suffix is checked up front."""
    return typer.Option("--plot", help=help, callback=_figure_path)


MODEL_OPTIONS: dict[str, Any] = {
    "Kc0": Kc0Opt, "K0": K0Opt, "ys0": Ys0Opt, "y0": Y0Opt, "y2": Y2Opt, "upsilon": UpsOpt, "u_ratio": URatioOpt,
    "upsilon_theta": UpsThetaOpt, "lstar": LstarOpt, "lstar2": Lstar2Opt, "chi": ChiOpt, "lmax": LmaxOpt,
    "temperature": TempOpt, "lmass": LmassOpt, "y_strong": YStrongOpt, "su2": Su2Opt, "scheme": SchemeOpt,
    "flow": FlowOpt, "regulator": RegulatorOpt, "velocity": VelocityOpt, "theta": ThetaOpt,
    "vertex_charge": VertexOpt, "params": ParamsOpt,
}
"""Every model flag (and --params), by the Python name of its parameter."""


def model_options(command=None, *, exclude: tuple[str, ...] = ()):
    """Give a command every model flag and --params; it receives them as ``model_flags`` (a dict) instead.

    Typer reads a command's parameters from its signature, so the wrapper's signature is the command's own
    (minus ``model_flags``) followed by the shared flags: one definition of the flags for every command.
    ``@model_options(exclude=("K0", ...))`` leaves out flags that the command sets itself.
    """
    import functools
    import inspect
    import typing

    if command is None:
        return functools.partial(model_options, exclude=exclude)
    options = {name: annotation for name, annotation in MODEL_OPTIONS.items() if name not in exclude}

    signature = inspect.signature(command)
    hints = typing.get_type_hints(command, include_extras=True)  # resolve the command module's string annotations
    own = [p.replace(annotation=hints[name]) for name, p in signature.parameters.items() if name != "model_flags"]
    shared = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
              for name, annotation in options.items()]

    @functools.wraps(command)
    def wrapper(**kwargs):
        flags = {name: kwargs.pop(name) for name in options}
        return command(model_flags=flags, **kwargs)

    wrapper.__signature__ = signature.replace(
        parameters=[p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own] + shared
    )
    wrapper.__annotations__ = {p.name: p.annotation for p in wrapper.__signature__.parameters.values()}
    del wrapper.__wrapped__  # Typer must read the wrapper's signature, not the command's
    return wrapper


def model_from_flags(flags: dict[str, Any]) -> Model:
    """The Model of a command's ``model_flags`` (see :func:`model_options`)."""
    flags = dict(flags)
    return build_model(flags.pop("params"), **flags)
