"""The ``pairing1d`` command line (Typer + Rich). Every command mirrors a documented Python function.

Errors in what the user typed (a parameter out of the model's domain, a malformed flag, a bad parameter file)
end the command with exit code 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import json
import math
import sys
import tomllib
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .model import SCHEMES, Model, ModelError

app = typer.Typer(
    name="pairing1d",
    help="Electron pairing from repulsion in 1D (Shavit & Oreg, PRR 2, 043283): RG flows, phases, signatures.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
stdout = Console()


try:  # typer >= 0.2x vendors click and raises its own exception classes
    from typer import TyperException as _CommandLineError
except ImportError:  # pragma: no cover - older typer on top of click
    from click import ClickException as _CommandLineError


class InputError(ValueError):
    """A user error outside the model's own validation (a parameter file, a flag combination)."""


_DEFAULTS = Model()


def _help(text: str, name: str) -> str:
    return f"{text} (default {getattr(_DEFAULTS, name):g})"


# One definition of each model flag, shared by every command that builds a Model.
Kc0Opt = Annotated[float | None, typer.Option("--Kc0", help=_help("Bare primary charge Luttinger parameter", "Kc0"))]
K0Opt = Annotated[float | None, typer.Option("--K0", help=_help("Bare secondary Luttinger parameter", "K0"))]
Ys0Opt = Annotated[float | None, typer.Option("--ys0", help=_help("Bare spin fugacity ys (> -1)", "ys0"))]
Y0Opt = Annotated[float | None, typer.Option("--y0", help=_help("Bare inter-wire backscattering y1", "y0"))]
Y2Opt = Annotated[float | None, typer.Option("--y2", help=_help("Bare y2 (particle-like channel)", "y2"))]
UpsOpt = Annotated[float | None, typer.Option("--upsilon", help=_help("Forward coupling upsilon, Eq. (14)", "upsilon"))]
URatioOpt = Annotated[float | None, typer.Option("--u-ratio", help=_help("Velocity ratio u/uc", "u_ratio"))]
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
Su2Opt = Annotated[bool | None, typer.Option("--su2/--no-su2", help="Enforce Ks = 1 + ys/2 (default --su2)")]
SchemeOpt = Annotated[
    str | None, typer.Option("--scheme", help=f"Cutoff scheme: {' | '.join(SCHEMES)} (default printed)")
]
ThetaOpt = Annotated[
    float | None, typer.Option("--theta", help=_help("Relative phase of g_up, g_down (Sec. II B 4)", "theta"))
]
ParamsOpt = Annotated[
    Path | None, typer.Option("--params", help="TOML file of model parameters (same names as the flags)")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of the summary")]


def load_params(path: Path) -> dict[str, Any]:
    """Model parameters from a TOML file whose keys are the flag names (``u-ratio`` or ``u_ratio``)."""
    try:
        raw = tomllib.loads(path.read_text())
    except OSError as exc:
        raise InputError(f"cannot read parameter file {str(path)!r}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"parameter file {str(path)!r} is not valid TOML: {exc}") from None
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
    values = load_params(params_file) if params_file is not None else {}
    values.update({k: v for k, v in flags.items() if v is not None})
    if flags.get("lmax") is not None and flags.get("temperature") is None:
        values.pop("temperature", None)  # a flag overrides a temperature set in the file
    if flags.get("temperature") is not None and flags.get("lmax") is None:
        values.pop("lmax", None)
    return Model(**values)


def _json_safe(obj: Any) -> Any:
    """Replace non-finite floats (inf cutoffs) by strings so that the output is strict JSON."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_json_safe(v) for v in obj]
    return obj


def _fmt(value: float | None, digits: int = 6) -> str:
    return "—" if value is None else f"{value:.{digits}g}"


@app.command()
def flow(
    Kc0: Kc0Opt = None, K0: K0Opt = None, ys0: Ys0Opt = None, y0: Y0Opt = None, y2: Y2Opt = None,
    upsilon: UpsOpt = None, u_ratio: URatioOpt = None, lstar: LstarOpt = None, lstar2: Lstar2Opt = None,
    chi: ChiOpt = None, lmax: LmaxOpt = None, temperature: TempOpt = None, lmass: LmassOpt = None,
    y_strong: YStrongOpt = None, su2: Su2Opt = None, scheme: SchemeOpt = None, theta: ThetaOpt = None,
    params: ParamsOpt = None, json_out: JsonOpt = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Draw the flow to this PNG or PDF file")] = None,
) -> None:
    """Integrate the RG flow of Eq. (16) for one device and report its phase, gaps and dominant order."""
    from .phases import phase_of

    model = build_model(
        params, Kc0=Kc0, K0=K0, ys0=ys0, y0=y0, y2=y2, upsilon=upsilon, u_ratio=u_ratio, lstar=lstar,
        lstar2=lstar2, chi=chi, lmax=lmax, temperature=temperature, lmass=lmass, y_strong=y_strong, su2=su2,
        scheme=scheme, theta=theta,
    )
    result = phase_of(model)
    if plot is not None:
        from .plotting import plot_flow

        try:
            plot_flow(result, plot)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot write plot {str(plot)!r}: {exc}") from None
    if json_out:
        out = result.to_dict() | {"parameters": model.to_dict(), "version": __version__}
        if plot is not None:
            out["plot"] = str(plot)
        print(json.dumps(_json_safe(out), allow_nan=False, indent=2))
        return
    _print_summary(result, plot)


def _print_summary(result, plot: Path | None) -> None:
    m = result.model
    colour = {"decoupled": "white", "paired": "green", "trion": "magenta"}[result.phase]
    table = Table(title=f"pairing1d flow — phase: [bold {colour}]{result.phase}[/]", show_header=False)
    table.add_column("quantity", style="cyan")
    table.add_column("value", justify="right")
    table.add_column("meaning", style="dim")
    rows = [
        ("l_bar", _fmt(result.l_bar), "ys = -1 (spin sector at strong coupling)"),
        ("l_bbar", _fmt(result.l_bbar), "|y1| = y_strong (inter-wire locking)"),
        ("spin gap / Lambda", _fmt(result.spin_gap, 4), "exp(-l_bar)"),
        ("trion scale / Lambda", _fmt(result.trion_scale, 4), "exp(-l_bbar) c1(l_bbar)"),
        ("dominant order", result.dominant_order or "—", "Eq. (18) (paired) or Kf vs 3 (trion)"),
    ]
    if result.phase == "paired":
        rows += [
            ("chi_CDW exponent", _fmt(result.chi_cdw_exponent, 4), "Kc~ + Q^2 K~ - 2 at l_bar"),
            ("chi_SC exponent", _fmt(result.chi_sc_exponent, 4), "1/Kc~ - 2 at l_bar"),
        ]
    if result.Kf is not None:
        rows.append(("Kf", _fmt(result.Kf, 4), "trion Luttinger parameter, Eq. (20)"))
    rows += [
        ("Q", _fmt(m.Q, 4), "rotation parameter, Sec. II B"),
        ("Kc~0, K~0", f"{m.Kc_tilde0:.4g}, {m.K_tilde0:.4g}", "Eq. (14a,b)"),
        ("l* (effective), lmax", f"{m.lstar_eff:g}, {m.lmax:.4g}", f"scheme: {m.scheme}, su2: {m.su2}"),
    ]
    for row in rows:
        table.add_row(*row)
    stdout.print(table)
    stdout.print(
        f"[dim]Kc0={m.Kc0:g} K0={m.K0:g} ys0={m.ys0:g} y0={m.y0:g} y2={m.y2:g} upsilon={m.upsilon:g} "
        f"u/uc={m.u_ratio:g} l*={m.lstar:g} l*2={m.lstar2:.4g} chi={m.chi:g} theta={m.theta:g}[/]"
    )
    if plot is not None:
        stdout.print(f"flow plot written to [bold]{plot}[/]")


@app.command()
def version() -> None:
    """Print the package version."""
    stdout.print(__version__)


def _error(message: str, code: int) -> None:
    """One line on stderr (no Rich wrapping, no traceback), then exit."""
    print(f"pairing1d: error: {' '.join(message.split())}", file=sys.stderr)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the Typer app and turn every user error into one line on stderr and exit code 2."""
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="pairing1d", standalone_mode=False)
    except (ModelError, InputError) as exc:
        _error(str(exc), 2)
    except _CommandLineError as exc:  # malformed flags and values: click's usage errors, exit code 2
        message = exc.format_message()
        if not message:  # `pairing1d` alone: the help was printed, nothing to add
            sys.exit(getattr(exc, "exit_code", 2))
        _error(message, getattr(exc, "exit_code", 2))
    except (typer.Abort, KeyboardInterrupt):
        _error("interrupted", 130)
    sys.exit(code if isinstance(code, int) else 0)
