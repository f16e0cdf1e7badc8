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


# ------------------------------------------------- one layout for many figures
def _curve(values, *, kind="courbes", title="Jeunes accompagnés par mois"):
    fig, ax = figures.new_figure(7.5, 3.2)
    figures.reuse_layout(fig, kind)
    ax.plot(range(1, 13), values, marker="o", label="2024")
    ax.set_xticks(range(1, 13), [f"m{i}" for i in range(1, 13)])
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.legend(loc="lower left")
    return fig


def _svg(fig) -> bytes:
    return _saved(fig, lambda f, b: figures.write_svg(f, b, metadata={"Date": None}))


@pytest.fixture
def no_layouts(monkeypatch):
    monkeypatch.setattr(figures, "_LAYOUTS", {})
    return figures._LAYOUTS


def test_figures_with_the_same_texts_share_one_layout(no_layouts):
    # tick labels 0 to 300 for both (other data, other y limits)
    first, second = [25.0 * i for i in range(1, 13)], [300.0] + [5.0] * 11
    alone = _svg(_curve(second))  # laid out on its own
    no_layouts.clear()
    _svg(_curve(first))
    assert sum(len(v) for v in no_layouts.values()) == 1
    fig = _curve(second)
    assert _svg(fig) == alone  # the reused layout is the one it gets alone
    assert sum(len(v) for v in no_layouts.values()) == 1
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "300" in labels


def test_wider_tick_labels_or_another_title_get_their_own_layout(no_layouts):
    small = _curve([10.0 * i for i in range(1, 13)])
    wide = _curve([1_000.0 * i for i in range(1, 13)])  # « 12 000 »: a wider margin
    titled = _curve([10.0 * i for i in range(1, 13)], title="Premiers accueils")
    for fig in (small, wide, titled):
        _svg(fig)
    assert sum(len(v) for v in no_layouts.values()) == 3
    assert wide.axes[0].get_position().x0 > small.axes[0].get_position().x0
    # each is where the constrained layout puts it, to a millionth of the figure
    plain = _curve([1_000.0 * i for i in range(1, 13)])
    plain._observatoire_layout = None
    _saved(plain, lambda f, b: f.savefig(b, format="svg"))
    assert np.allclose(
        plain.axes[0].get_position().bounds,
        wide.axes[0].get_position().bounds,
        atol=1e-6,
    )


def test_a_tick_label_at_the_end_of_its_axis_keeps_its_place_in_the_key(no_layouts):
    def strip(right):
        fig, ax = figures.new_figure(7.5, 2.6)
        figures.reuse_layout(fig, "bande")
        ax.scatter([0.0, right], [0, 1])
        ax.set_xlim(0, right)  # the last tick label sits on the right end or not
        ax.set_xticks([0.0, 0.1, 0.2, 0.3], ["0 %", "10 %", "20 %", "30 %"])
        return fig

    _svg(strip(0.3))  # « 30 % » centred on the right end: it sets the margin
    _svg(strip(0.35))  # the same texts, inside the axes
    assert sum(len(v) for v in no_layouts.values()) == 2


def test_figures_of_another_kind_never_share_a_layout(no_layouts):
    values = [10.0 * i for i in range(1, 13)]
    _svg(_curve(values, kind="a"))
    _svg(_curve(values, kind="b"))
    _svg(_curve(values, kind="a"))
    assert sorted(len(v) for v in no_layouts.values()) == [1, 1]
