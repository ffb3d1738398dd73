r"""How sure is a verdict? The phase under every defensible choice the second-order theory leaves open.

The RG of the paper is second order in the couplings, and it leaves choices open that no derivation at that order fixes
(``docs/physics.md``, Sec. 15): the regulator of the commensurate-incommensurate cutoff
(:data:`pairing1d.theory.model.REGULATORS`), the strong-coupling threshold at which the flow hands over to the locked
theory (``y_strong`` times 0.5, 1, 2), the reference velocity of the second-order terms when :math:`u \neq u_c`
(:data:`pairing1d.theory.model.VELOCITIES`), and the truncation of the feedback on the stiffnesses (the consistent flow,
or Eq. 16's diagonal one). The **verdict ensemble** is the phase under each member of

.. math::
    \{\texttt{consistent}, \texttt{j01}, \bar u\},\ \{\texttt{consistent}, \texttt{delta1}, \bar u\},\
    \{\texttt{consistent}, \texttt{smooth}, \bar u\},\ \{\texttt{consistent}, \texttt{j01}, u_c\},\
    \{\texttt{consistent}, \texttt{j01}, u\},\ \{\texttt{diagonal}, \texttt{j01}, \bar u\}

(:data:`ENSEMBLE_FLOWS`: the default and each choice varied alone), each read at the three hand-over thresholds:
18 members, six flows. From it, for the reported phase:

* ``agreement``: the fraction of members that give it;
* ``certainty`` (:func:`certainty_of`): ``"robust"`` when every member gives it, ``"leaning"`` when at least two
  thirds do, ``"undetermined"`` otherwise, and always when the reported phase is itself undetermined. A member whose
  own verdict is not controlled (it rests on a coupling outside the perturbative range: a strong :math:`y_2`, a
  failed flow) counts as undetermined; the reported verdict is judged by the ensemble, whatever flow it came from
  (a verdict of the paper's Eq. 16 that every controlled member repeats is robust, one they contradict is not).

A statement of the package is a result only where it is robust. The ensemble of one classified device is
:func:`pairing1d.theory.phases.ensemble_of` (``PhaseResult.ensemble``); its batched counterpart, one pass over
packed rows (members are rows), is :func:`pairing1d.engine.ensemble_batch.run_ensemble`. This module imports no other
module of the verdict (:mod:`pairing1d.theory.phases` imports it).
"""

from __future__ import annotations

import numpy as np

from .flow_equations import HANDOVER_FACTORS
from .model import REGULATORS, VELOCITIES

__all__ = ["ENSEMBLE_FLOWS", "MEMBERS", "CERTAINTIES", "LEANING", "member_name", "member_phases", "certainty_of",
           "UNDETERMINED"]

ENSEMBLE_FLOWS = (
    ("consistent", "j01", "mean"),
    ("consistent", "delta1", "mean"),
    ("consistent", "smooth", "mean"),
    ("consistent", "j01", "charge"),
    ("consistent", "j01", "secondary"),
    ("diagonal", "j01", "mean"),
)
"""The flows of the ensemble, ``(flow, regulator, velocity)``, all in the ``cic`` scheme: the default and each open
choice varied alone. Each is read at every hand-over threshold
(:data:`pairing1d.theory.flow_equations.HANDOVER_FACTORS`)."""
assert all(r in REGULATORS and v in VELOCITIES for _, r, v in ENSEMBLE_FLOWS)

MEMBERS = tuple((f, k) for f in range(len(ENSEMBLE_FLOWS)) for k in range(len(HANDOVER_FACTORS)))
"""The members: ``(index into ENSEMBLE_FLOWS, index into HANDOVER_FACTORS)``; 18."""

CERTAINTIES = ("robust", "leaning", "undetermined")
"""Certainty codes (their index in sweeps)."""

UNDETERMINED = 4
"""The code of ``"undetermined"`` in :data:`pairing1d.theory.phases.PHASES` (which imports this module, and checks
the value when it is imported)."""
LEANING = 2.0 / 3.0
"""The clear majority a ``"leaning"`` verdict needs: at least two members agree for every one that does not."""


def member_name(member: tuple[int, int], y_strong: float = 1.0) -> str:
    """A member's name, e.g. ``"consistent, j01, mean velocity, y_strong=0.5"``."""
    (flow, regulator, velocity), factor = ENSEMBLE_FLOWS[member[0]], HANDOVER_FACTORS[member[1]]
    return f"{flow}, {regulator}, {velocity} velocity, y_strong={factor * y_strong:g}"


def member_phases(phase, controlled):
    """The phase codes a member contributes: its phase where its verdict is controlled, undetermined where it is not
    (arrays)."""
    return np.where(np.asarray(controlled, dtype=bool), phase, UNDETERMINED).astype(np.int8)


def certainty_of(phase, members):
    r"""``(agreement, certainty code)`` of reported phases ``phase[N]`` (codes of
    :data:`pairing1d.theory.phases.PHASES`)
    given the members' phases ``members[N, M]`` (:func:`member_phases`): agreement is the fraction of members equal
    to the reported phase; certainty 0 robust (all), 1 leaning (at least :data:`LEANING`), 2 undetermined (fewer, or
    the reported phase undetermined). Arrays."""
    phase = np.asarray(phase)
    members = np.asarray(members)
    agreement = (members == phase[:, None]).mean(axis=1)
    code = np.where(agreement >= 1.0, 0, np.where(agreement >= LEANING - 1e-12, 1, 2))
    return agreement, np.where(phase != UNDETERMINED, code, 2).astype(np.int8)
