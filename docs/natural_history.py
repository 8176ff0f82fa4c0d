"""Figures of the README's natural-history section, from virtual populations (regenerate after model changes).

Writes ``docs/img/recovery_by_cause.png`` (share of patients with daily mean NRS ≥ 3 over the year after onset, for
the acute causes) and ``docs/img/dpn_by_hba1c.png`` (share of a diabetic population with NRS ≥ 3 by HbA1c band,
diabetes durations drawn, the last ``--years`` of each simulated and the earlier ones in closed form). Run:
``.venv/bin/python docs/natural_history.py [--patients 150] [--years 1]`` (images need kaleido and a Chrome/Chromium).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import plotly.graph_objects as go

from painloop.population.run import PopulationRun, daily_summary, run_population

ACUTE = ("shingles", "chemotherapy", "trauma", "guillain_barre", "compression")
HBA1C = (6.0, 7.0, 8.0, 9.0, 10.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--patients", type=int, default=150)
    ap.add_argument("--years", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "img")
    args = ap.parse_args()
    figures = {}
    fig = go.Figure()
    for cause in ACUTE:
        ds = run_population(PopulationRun(n=args.patients, seed=args.seed, days=365, population={"cause": cause}))
        s = daily_summary(ds, 3.0)
        fig.add_scatter(x=s["day"], y=s["prevalence_nrs_ge_3"], name=cause)
        figures[cause] = {str(d): round(float(s["prevalence_nrs_ge_3"].iloc[d]), 3) for d in (30, 90, 180, 364)}
    fig.update_layout(title=f"Share with pain (daily mean NRS ≥ 3) after onset, {args.patients} virtual patients "
                            "per cause", xaxis_title="days since onset", yaxis_title="share", yaxis_range=[0, 1],
                      width=900, height=450)
    args.out.mkdir(parents=True, exist_ok=True)
    fig.write_image(args.out / "recovery_by_cause.png")
    shares = []
    for h in HBA1C:
        ds = run_population(PopulationRun(n=args.patients, seed=args.seed, days=1,
                                          population={"cause": "diabetes", "history_years": args.years,
                                                      "fixed": {"hba1c": h}}))
        shares.append(float((ds["nrs"].values[:, 0] >= 3.0).mean()))
    figures["diabetes_by_hba1c"] = dict(zip(map(str, HBA1C), [round(x, 3) for x in shares]))
    bar = go.Figure(go.Bar(x=[f"{h:g} %" for h in HBA1C], y=shares))
    bar.add_hrect(y0=0.21, y1=0.34, fillcolor="green", opacity=0.15, line_width=0,
                  annotation_text="Abbott 2011: 21-34 % (all HbA1c)")
    bar.update_layout(title="Painful diabetic neuropathy (NRS ≥ 3) by HbA1c, diabetes durations drawn",
                      xaxis_title="HbA1c", yaxis_title="share with NRS ≥ 3", yaxis_range=[0, 1], width=900, height=450)
    bar.write_image(args.out / "dpn_by_hba1c.png")
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
