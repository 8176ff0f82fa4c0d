"""Dorsal horn: peripheral sensitization of nociceptors and central sensitization.

Central sensitization builds under sustained afferent input, glial activation
and stress-altered excitability, and decays slowly; its decay slows further as
it grows (self-maintaining LTP-like plasticity), so it outlasts the cause
(hysteresis; Latremoliere & Woolf 2009 J Pain). Peripheral sensitization
follows inflammatory mediators and recovers with first-order kinetics.
"""

from __future__ import annotations

from ._declare import Ctx, Subsystem, params, states

NAME = "spinal"

STATES = states(
    NAME,
    ("sens_peripheral", "fraction", 0.0, "peripheral (nociceptor) sensitization, 0 none, 1 maximal"),
    ("sens_central", "fraction", 0.0, "central (dorsal horn) sensitization, 0 none, 1 maximal"),
)

PARAMS = params(
    NAME,
    ("k_psens_on", 0.3, "1/h",
     "assumption: nociceptors sensitize within hours of inflammatory mediator exposure (Hucho & Levine 2007 Neuron)",
     "rate of peripheral sensitization per unit inflammation"),
    ("k_psens_off", 0.15, "1/h",
     "Dobreva et al. 2021; Windoloski et al. 2022 (targets/rhythms_and_couplings.csv: pain_threshold_recovery)",
     "first-order recovery of pain threshold after an inflammatory insult"),
    ("k_csens_on", 3e-4, "1/h",
     "assumption: calibrated so that established painful neuropathy settles at central sensitization ≈ 0.4, built up over weeks (Latremoliere & Woolf 2009)",
     "build-up rate of central sensitization per unit drive"),
    ("tau_csens_off", 90 * 24.0, "h",
     "assumption: central sensitization outlasts tissue healing by months (Woolf 2011 Pain); with maintenance its half-life after healing is ~6 months",
     "decay time constant of central sensitization at low levels"),
    ("csens_hold", 0.3, "fraction",
     "assumption: level above which maintenance slows decay markedly (hysteresis)",
     "half-maintenance level of central sensitization"),
    ("w_csens_glia", 0.8, "dimensionless",
     "assumption: glial BDNF/cytokine release is a major driver of central sensitization (Coull 2005 Nature)",
     "weight of glial activation in the sensitizing drive"),
    ("w_csens_glutamate", 0.5, "dimensionless",
     "assumption: extra glutamate release drives NMDA-dependent sensitization (Woolf & Thompson 1991 Pain)",
     "weight of excess glutamate in the sensitizing drive"),
    ("w_csens_stress", 0.25, "dimensionless",
     "assumption: chronic stress raises spinal excitability (Alexander 2009 Pain, stress-induced hyperalgesia)",
     "weight of chronic stress load in the sensitizing drive"),
)


def rates(c: Ctx) -> dict:
    """d(sensitization)/dt, peripheral and central (per hour)."""
    s, p = c.s, c.p
    drive = (s["ectopic"] + p["w_csens_glia"] * s["infl_glial"]
             + p["loop_stress_to_pain"] * p["w_csens_stress"] * s["stress_load"]
             + p["w_csens_glutamate"] * (s["glutamate"] - 1.0))
    hold = (s["sens_central"] / p["csens_hold"]) ** 2
    return {
        "sens_peripheral": p["k_psens_on"] * s["infl_peripheral"] * (1.0 - s["sens_peripheral"])
        - p["k_psens_off"] * s["sens_peripheral"],
        "sens_central": p["k_csens_on"] * c.pos(drive) * (1.0 - s["sens_central"])
        - s["sens_central"] / (p["tau_csens_off"] * (1.0 + hold)),
    }


SUBSYSTEM = Subsystem(NAME, "Dorsal horn sensitization", STATES, PARAMS, rates)
