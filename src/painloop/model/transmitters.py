"""Excitatory/inhibitory transmitter balance in the dorsal horn.

Glutamate release rises with afferent barrage and central sensitization (and
with stress: Quintero 2011 / glutamatergic stress effects); inhibitory
GABA/glycine tone falls after nerve injury as microglial BDNF downregulates
KCC2 (Coull 2005 Nature) and interneurons are lost (Moore 2002 J Neurosci).
"""

from __future__ import annotations

from ._declare import Ctx, Subsystem, params, states

NAME = "transmitters"

STATES = states(
    NAME,
    ("glutamate", "relative", 1.0, "dorsal-horn glutamate release, 1 = healthy"),
    ("gaba", "relative", 1.0, "dorsal-horn GABA/glycine inhibitory tone, 1 = healthy"),
)

PARAMS = params(
    NAME,
    ("tau_glutamate", 6.0, "h",
     "assumption: presynaptic release adapts over hours to the afferent drive",
     "time constant of glutamate release"),
    ("g_glu_ectopic", 0.3, "dimensionless",
     "assumption: ectopic barrage raises release by ~30 % per unit of ectopic activity",
     "glutamate increase per unit ectopic activity"),
    ("g_glu_csens", 0.2, "dimensionless",
     "assumption: sensitized synapses release ~40 % more at full sensitization (Latremoliere & Woolf 2009)",
     "glutamate increase per unit central sensitization"),
    ("g_glu_stress", 0.15, "dimensionless",
     "assumption: chronic stress raises spinal glutamatergic transmission modestly (Quintero 2011 Pharmacol Biochem Behav)",
     "glutamate increase per unit chronic stress load"),
    ("tau_gaba", 3 * 24.0, "h",
     "assumption: KCC2 downregulation and disinhibition develop over days (Coull 2003 Nature)",
     "time constant of inhibitory tone"),
    ("g_gaba_damage", 0.3, "dimensionless",
     "assumption: ~30 % loss of inhibitory tone at complete lesion (Moore 2002 J Neurosci)",
     "loss of inhibitory tone per unit nerve damage"),
    ("g_gaba_glia", 0.3, "dimensionless",
     "assumption: microglial BDNF at peak activation removes ~30 % of inhibition (Coull 2005)",
     "loss of inhibitory tone per unit glial activation"),
)


def rates(c: Ctx) -> dict:
    """d(glutamate)/dt and d(gaba)/dt (per hour)."""
    s, p = c.s, c.p
    glu_target = c.a["tx_glutamate_factor"] * (1.0 + p["g_glu_ectopic"] * s["ectopic"] + p["g_glu_csens"] * s["sens_central"]
                  + p["loop_stress_to_pain"] * p["g_glu_stress"] * s["stress_load"])
    gaba_target = 1.0 / (1.0 + p["g_gaba_damage"] * s["damage"] + p["g_gaba_glia"] * s["infl_glial"])
    return {
        "glutamate": (glu_target - s["glutamate"]) / p["tau_glutamate"],
        "gaba": (gaba_target - s["gaba"]) / p["tau_gaba"],
    }


SUBSYSTEM = Subsystem(NAME, "Excitatory/inhibitory balance", STATES, PARAMS, rates)
