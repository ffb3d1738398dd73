"""Appendix A: the nanotube secondary; the Fig. 8 caption's spectrum crosses a single hole-like band."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from pairing1d import ModelError
from pairing1d.cli import main
from pairing1d.devices.cnt import CNT, FIG8, HBAR_MEV_S, bands, crossing, single_band_map


def test_fig8_single_hole_like_band():
    """vF = 8e5 m/s, Delta0 = 4, Delta_so = 1, Delta_Phi = 0.5, mu = -3 meV: one hole-like band, the one with
    gap |-4 + 1 + 0.5| = 2.5 meV, at hbar vF kF = sqrt(9 - 6.25) meV."""
    c = crossing(FIG8, -3.0)
    assert c.bands_crossing == 1 and c.single_band and c.hole_like
    assert (c.sigma, c.nu) == (1, -1)
    assert c.k_fermi == pytest.approx(math.sqrt(9 - 6.25) / (HBAR_MEV_S * 8e5), rel=1e-12)
    assert c.k_secondary < 0  # hole-like: k < 0, the case where y1 matters (Sec. II B)


def test_band_energies_vanish_at_the_fermi_momentum():
    c = crossing(FIG8, -3.0)
    e = bands(FIG8, -3.0, np.array([c.k_fermi]))
    zero = [key for key, values in e.items() if abs(values[0]) < 1e-9]
    assert zero == [(1, -1, -1)]  # the valence branch of that band, and only it


def test_windows():
    """Counting: no band in the gap; the single-band windows lie between the two smallest gaps."""
    assert crossing(FIG8, 0.0).bands_crossing == 0
    assert crossing(FIG8, -3.6).bands_crossing == 2 and crossing(FIG8, 2.0).bands_crossing == 0
    particle = crossing(FIG8, 3.2)
    assert particle.single_band and particle.hole_like is False
    counts = single_band_map(FIG8, np.array([-3.0, 0.0, 3.2, 7.0]), np.array([0.5]))
    assert counts.tolist() == [[-1, 0, 1, 4]]
    # without flux, spin-orbit keeps Kramers pairs degenerate: never a single band
    no_flux = single_band_map(FIG8, np.linspace(-8, 8, 801), np.array([0.0]))
    assert not np.any(np.abs(no_flux) == 1)


def test_lstar_from_the_nanotube():
    c = crossing(FIG8, -3.0)
    kF, alpha0 = 3.3e6, 1e-7
    l1, _ = c.lstar(kF, alpha0)
    assert l1 == pytest.approx(math.log(1 / ((kF - c.k_fermi) * alpha0)))
    with pytest.raises(ModelError):
        crossing(FIG8, 0.0).lstar(kF, alpha0)


@pytest.mark.parametrize("kw", [dict(vF=-1.0), dict(delta0=0.5), dict(delta_phi=math.nan)])
def test_bad_nanotube(kw):
    with pytest.raises(ModelError):
        CNT(**kw)


def test_cli_json_and_plot(tmp_path, capsys):
    target = tmp_path / "fig8.png"
    with pytest.raises(SystemExit) as info:
        main(["cnt", "--mu", "-3", "--json", "--plot", str(target)])
    data = json.loads(capsys.readouterr().out)
    assert info.value.code == 0
    assert data["bands_crossing"] == 1 and data["hole_like"] is True
    assert data["k_fermi_per_nm"] == pytest.approx(math.sqrt(9 - 6.25) / (HBAR_MEV_S * 8e5) * 1e-9)
    assert target.stat().st_size > 30_000
