"""French number formats: the minus sign, thousands, decimal comma, percent.

Every number a reader sees (tables, alternative texts, chart data and tick
labels) goes through :mod:`observatoire.formatting`; French typography writes a
negative with the minus sign U+2212 (« −3,8 % »), never the hyphen-minus.
"""

from __future__ import annotations

import matplotlib
import pandas as pd

from observatoire import formatting as f
from observatoire.reports import _style as st

matplotlib.use("Agg")

MINUS, NBSP, THIN = "\u2212", "\u00a0", "\u202f"


def test_negative_numbers_take_the_minus_sign():
    assert f.fr_pct(-0.038) == f"{MINUS}3,8{NBSP}%"
    assert f.fr_num(-1234.56) == f"{MINUS}1{THIN}234,6"
    assert f.fr_int(-12345) == f"{MINUS}12{THIN}345"
    assert f.fr_signed_pct(-0.038) == f"{MINUS}3,8{NBSP}%"
    assert f.fr_signed_pct(0.038) == f"+3,8{NBSP}%"


def test_a_value_that_rounds_to_zero_has_no_sign():
    # -0,04 shown to a tenth is 0,0: neither « -0,0 » nor « −0,0 »
    assert f.fr_num(-0.04) == "0,0"
    assert f.fr_int(-0.4) == "0"
    assert f.fr_pct(-0.0004) == f"0,0{NBSP}%"
    assert f.fr_signed_pct(-0.0004) == f"0,0{NBSP}%"
    assert f.fr_signed_pct(0.0004) == f"0,0{NBSP}%"


def test_the_text_alternative_and_the_chart_data_use_the_minus_sign():
    data = pd.DataFrame(
        {
            "Mission Locale": ["ML Pau", "ML Dax", "ML Agen"],
            "Évolution sur un an": [-0.038, 0.021, -0.125],
        }
    )
    alt = st.describe(
        "Évolution par Mission Locale", data, percent=["Évolution sur un an"],
        ordered=False, highlight="ML Pau",
    )  # fmt: skip
    # highest +2,1 % (Dax), lowest −12,5 % (Agen), Pau −3,8 %, second of three
    assert alt == (
        f"Évolution par Mission Locale. Évolution sur un an : le plus haut "
        f"2,1{NBSP}% (ML Dax), le plus bas {MINUS}12,5{NBSP}% (ML Agen), "
        f"ML Pau : {MINUS}3,8{NBSP}%, 2e sur 3."
    )
    shown = st.data_for_display(data, ["Évolution sur un an"])
    assert shown["Évolution sur un an"].tolist() == [
        f"{MINUS}3,8{NBSP}%",
        f"2,1{NBSP}%",
        f"{MINUS}12,5{NBSP}%",
    ]
    counts = st.data_for_display(pd.DataFrame({"Mois": ["mars"], "Écart": [-1234]}))
    assert counts["Écart"].tolist() == [f"{MINUS}1{THIN}234"]
    assert "-" not in alt + "".join(shown.iloc[:, 1])


def test_tick_labels_of_report_charts_use_the_minus_sign():
    fig, ax = st.new_figure()
    ax.barh([0, 1], [-0.1, 0.2])
    st.apply_axes_style(ax, percent=True, axis="x")
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert f"{MINUS}10{NBSP}%" in labels and f"20{NBSP}%" in labels
    assert not any(lab.startswith("-") for lab in labels)
