"""Central lesions: a lesion of the central somatosensory pathway (spinal cord, thalamus, cortex).

Spinal cord injury and stroke injure the spinothalamic–thalamocortical pathway
itself rather than peripheral fibres. The cause drives ``central_lesion``
through the inputs ``central_injury_rate`` (1/h) and ``central_repair``
(0–1: share of the possible recovery), both 0 for peripheral causes.
Deafferented and disinhibited central neurons fire spontaneously (thalamic
bursting after stroke, hyperexcitable dorsal-horn neurons with up-regulated
Nav1.3 after spinal cord injury: Hains 2003 J Neurosci 23:8881; Finnerup 2016
Nat Rev Neurol), with the same between-person propensity as injured afferents
(``g_ectopic``, spread by the population's random effects), enhanced by
activated glia (inflammation of a relapse). That firing is a
neuropathic input of its own (``central_firing``: pain, burning, allodynia)
and drives central sensitization (``spinal``). A central lesion has no
peripheral fibre loss of its own, so it gives no distal numbness readout.
"""

from __future__ import annotations

from ._declare import Ctx, Subsystem, outputs, params, states

NAME = "central"

STATES = states(
    NAME,
    ("central_lesion", "fraction", 0.0,
     "share of the central somatosensory pathway lesioned (spinal cord, thalamus; 0 none, 1 all)"),
)

PARAMS = params(
    NAME,
    ("k_central_repair", 1.0 / (120 * 24), "1/h",
     "assumption: neurological recovery after spinal cord injury and stroke takes place mostly within the first 3-6 "
     "months (Fawcett 2007 Spinal Cord 45:190; Kwakkel 2006 Restor Neurol Neurosci); time constant ~4 months where "
     "the cause allows recovery", "recovery rate of the central lesion at full repair capacity"),
    ("w_central_firing", 1.5, "relative",
     "assumption: spontaneous firing of deafferented central neurons per unit lesion, relative to g_ectopic (an "
     "injured afferent's firing per unit damage); a first choice checked (not refitted) against the share of a spinal "
     "cord injury population with neuropathic pain after a year (Burke 2017 Eur J Pain 21:29: 53 %): neuropathic "
     "component NRS >= 3 in 0.51 at seed 101 and 0.55-0.56 at seeds 102-104 (community populations of 200); central "
     "post-stroke pain 0.08-0.11 at the same seeds (Andersen 1995 Pain 61:187: 8 %)",
     "central spontaneous firing per unit central lesion, relative to g_ectopic"),
    ("g_central_glia", 1.0, "dimensionless",
     "assumption: activated microglia maintain the hyperexcitability of central neurons after spinal cord injury "
     "(Hains & Waxman 2006 J Neurosci 26:4308); full glial activation doubles central firing, as cytokines do for "
     "injured afferents (g_ectopic_infl 1.0)", "enhancement of central firing per unit glial activation"),
    ("w_csens_central", 0.5, "dimensionless",
     "assumption: a central lesion sensitizes the neurons above and around it, as deafferentation does "
     "(w_csens_deaff 0.35; Finnerup 2016 Nat Rev Neurol: central sensitization in central pain)",
     "sensitizing drive per unit central lesion"),
)

OUTPUTS = outputs(
    NAME,
    ("central_firing", "dimensionless", "spontaneous firing of deafferented central neurons (central lesion)"),
)


def algebraic(c: Ctx) -> dict:
    """Spontaneous firing of the lesioned central pathway (dimensionless, like ``ectopic``), enhanced by glia."""
    s, p, u = c.s, c.p, c.u
    glia = 1.0 + p["g_central_glia"] * c.pos(s["infl_glial"])
    return {"central_firing": u["provocation"] * p["w_central_firing"] * p["g_ectopic"] * c.pos(s["central_lesion"])
            * glia}


def rates(c: Ctx) -> dict:
    """d(central_lesion)/dt (per hour): injury of the intact pathway against recovery of the lesioned share."""
    s, p, u = c.s, c.p, c.u
    lesion = s["central_lesion"]
    return {"central_lesion": u["central_injury_rate"] * (1.0 - lesion)
            - p["k_central_repair"] * u["central_repair"] * lesion}


SUBSYSTEM = Subsystem(NAME, "Central lesion (spinal cord, brain)", STATES, PARAMS, rates, algebraic, OUTPUTS)
