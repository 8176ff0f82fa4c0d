"""Dorsal horn: peripheral sensitization of nociceptors and central sensitization.

Central sensitization is activity-dependent (Woolf 2011 Pain): it builds under
afferent barrage from the lesion (ectopic firing, deafferentation after an
amputation, the firing and the loss of inhibition of a central lesion:
``central``), amplified by glial activation, excess glutamate and chronic
stress, and decays over weeks when that drive falls. Sensitized dorsal-horn
neurons also drive themselves (a cooperative, LTP-like self-maintenance that
is negligible at low levels), so whether sensitization outlives the lesion is
decided by the loops that raise the amplification (stress, glia, glutamate,
and through pain: sleep and mood) and by the person's own susceptibility:
chronification is an outcome, not a constant. Without a lesion there is no
drive at all, whatever the stress. Peripheral sensitization follows
inflammatory mediators and recovers with first-order kinetics.
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
    ("k_csens_on", 6.0e-4, "1/h",
     "assumption: with tau_csens_off, established painful neuropathy settles at central sensitization ≈ 0.3-0.5, built up over weeks (Latremoliere & Woolf 2009)",
     "build-up rate of central sensitization per unit drive"),
    ("tau_csens_off", 30 * 24.0, "h",
     "assumption: secondary hyperalgesia and other signs of central sensitization resolve over weeks once the "
     "peripheral drive ends (Woolf 2011 Pain; Haroutounian 2014 Pain: resolution after removal of the focus)",
     "decay time constant of central sensitization"),
    ("g_csens_self", 0.9, "dimensionless",
     "assumption: self-maintaining LTP-like plasticity of dorsal-horn synapses (Sandkühler 2009 Physiol Rev); "
     "sized so that it holds sensitization only where the loops raise the amplification (a minority of patients)",
     "typical self-drive of fully sensitized dorsal-horn neurons (between-person spread: RANDOM_EFFECTS)"),
    ("csens_hold", 0.3, "fraction",
     "assumption: level of sensitization at which the self-drive is half-maximal (cooperative, Hill n = 2)",
     "half-maximal level of the self-drive"),
    ("w_csens_deaff", 0.35, "dimensionless",
     "assumption: deafferentation after amputation drives dorsal-horn and cortical reorganization (Flor 2006 Lancet "
     "Neurol; Collins 2018 Eur J Pain: phantom limb pain in ~64 %)",
     "sensitizing drive per unit deafferentation"),
    ("w_csens_glia", 1.0, "dimensionless",
     "assumption: glial BDNF/cytokine release is a major amplifier of central sensitization (Coull 2005 Nature)",
     "amplification of the sensitizing drive per unit glial activation"),
    ("w_csens_glutamate", 0.5, "dimensionless",
     "assumption: extra glutamate release drives NMDA-dependent sensitization (Woolf & Thompson 1991 Pain)",
     "amplification of the sensitizing drive per unit excess glutamate"),
    ("w_csens_stress", 0.6, "dimensionless",
     "assumption: chronic stress raises spinal excitability (Alexander 2009 Pain, stress-induced hyperalgesia)",
     "amplification of the sensitizing drive per unit chronic stress load"),
)


def rates(c: Ctx) -> dict:
    """d(sensitization)/dt, peripheral and central (per hour)."""
    s, p, u = c.s, c.p, c.u
    cs = s["sens_central"]
    lesion = (c.pos(s["ectopic"]) + c.a["central_firing"] + p["w_csens_deaff"] * u["deafferentation"]
              + p["w_csens_central"] * s["central_lesion"])
    self_drive = p["g_csens_self"] * cs * cs / (cs * cs + p["csens_hold"] ** 2)
    amplification = c.pos(1.0 + p["w_csens_glia"] * s["infl_glial"]
                          + p["loop_stress_to_pain"] * p["w_csens_stress"] * s["stress_load"]
                          + p["w_csens_glutamate"] * (s["glutamate"] - 1.0))
    return {
        "sens_peripheral": p["k_psens_on"] * s["infl_peripheral"] * (1.0 - s["sens_peripheral"])
        - p["k_psens_off"] * s["sens_peripheral"],
        "sens_central": p["k_csens_on"] * (lesion + self_drive) * amplification * (1.0 - cs)
        - cs / p["tau_csens_off"],
    }


SUBSYSTEM = Subsystem(NAME, "Dorsal horn sensitization", STATES, PARAMS, rates)
