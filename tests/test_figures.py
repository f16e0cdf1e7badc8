"""The figure factory: ``write_svg`` saves what ``savefig`` saves, drawing once."""

from __future__ import annotations

import io

import numpy as np
import pytest

from observatoire import figures


def _line_chart():
    fig, ax = figures.new_figure(7.5, 3.2)
    ax.plot([1, 2, 3], [10, 1_000, 250], marker="o", label="2024")
    ax.set_title("Jeunes accompagnés par mois")
    ax.set_xticks([1, 2, 3], ["janv.", "févr.", "mars"])
    ax.legend(loc="lower left")
    return fig


def _heat_map():
    fig = figures.blank_figure(6.0, 4.0)
    ax = fig.add_subplot()
    img = ax.imshow(np.arange(12.0).reshape(4, 3), cmap="Blues", aspect="auto")
    ax.set_yticks(range(4), ["Mission Locale A (33)", "B", "C", "D"])
    fig.colorbar(img, ax=ax, shrink=0.5).set_label("Nombre d'actions")
    return fig


def _grid():
    fig, axes = figures.new_figure(7.5, 5.0, nrows=2, ncols=2)
    for i, ax in enumerate(axes.flat):
        ax.bar(["a", "b"], [i, 10**i])
        ax.set_title(f"Panneau {i}")
    return fig


def _saved(fig, write) -> bytes:
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "test", "svg.fonttype": "none"}):
        write(fig, buf)
    return buf.getvalue()


@pytest.mark.parametrize("make", [_line_chart, _heat_map, _grid])
def test_write_svg_is_savefig_byte_for_byte(make):
    opts = {"dpi": 220, "facecolor": "white", "metadata": {"Date": None}}
    expected = _saved(make(), lambda f, b: f.savefig(b, format="svg", **opts))
    got = _saved(make(), lambda f, b: figures.write_svg(f, b, **opts))
    assert got.startswith(b"<?xml") and b"<svg" in got
    assert got == expected


def test_write_svg_leaves_the_figure_as_it_was():
    from matplotlib.backend_bases import FigureCanvasBase
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    fig = _line_chart()
    dpi, engine = fig.dpi, fig.get_layout_engine()
    figures.write_svg(fig, io.BytesIO(), metadata={"Date": None})
    assert fig.dpi == dpi
    assert fig.get_layout_engine() is engine
    assert isinstance(engine, ConstrainedLayoutEngine)
    assert type(fig.canvas) is FigureCanvasBase

    # a second save lays out again from where the first left the axes, as savefig does
    def twice(write):
        fig = _line_chart()
        write(fig, io.BytesIO())
        return _saved(fig, write)

    assert twice(
        lambda f, b: figures.write_svg(f, b, metadata={"Date": None})
    ) == twice(lambda f, b: f.savefig(b, format="svg", metadata={"Date": None}))


def test_write_svg_saves_a_figure_without_layout_engine_as_savefig_does():
    from matplotlib.figure import Figure

    def make():
        fig = Figure(figsize=(4, 3))
        fig.add_subplot().plot([0, 1], [1, 0])
        return fig

    opts = {"metadata": {"Date": None}}
    expected = _saved(make(), lambda f, b: f.savefig(b, format="svg", **opts))
    assert _saved(make(), lambda f, b: figures.write_svg(f, b, **opts)) == expected
