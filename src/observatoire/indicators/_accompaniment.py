"""Who counts as *accompanied*: the event types that define it, and the sentence saying so.

The network's national definition (data contract, « Définitions nationales »):
a young person is accompanied in a period when they had at least one
individual interview, workshop or collective information session there. An
observatory that counts differently (individual interviews only, say) passes
its own list: ``accompagnement=[...]`` to every indicator function,
``accompagnement:`` in the run parameters, ``--accompagnement`` on the
command line. Every figure over the young people accompanied follows it
(entries, rates, profile, key figures, monthly follow-up, the evaluation's
cohorts); reports and exports state the definition in force with
:func:`accompaniment_sentence`.

Where no list is passed, the definition in force is the national one, or the
one a surrounding ``with accompaniment(types):`` block sets (a report run sets
its parameter once for everything it computes).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd

from ..data import TYPES_EVENEMENT
from ..exceptions import ParamsError
from ._definitions import DEFINITIONS

#: the network's national definition of « accompagné » (the contract's default)
NATIONAL_ACCOMPANIMENT: tuple[str, ...] = (
    "entretien_individuel",
    "atelier",
    "information_collective",
)

#: French names of the event types, for the sentence
_EVENT_FR = {
    "entretien_individuel": "un entretien individuel",
    "atelier": "un atelier",
    "information_collective": "une information collective",
    "contact_telephonique": "un contact téléphonique",
    "contact_ecrit": "un contact écrit",
}

_CURRENT: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
    "observatoire_accompagnement", default=NATIONAL_ACCOMPANIMENT
)


def check_accompaniment(
    types: Iterable[str] | str | None, *, where: str = "accompagnement"
) -> tuple[str, ...]:
    """Check a list of event types and return it in the contract's order.

    Parameters
    ----------
    types : list of str, str or None
        Event types of ``evenements.type_evenement``; a single text may list
        them separated by commas. None: the definition in force.
    where : str
        Name of the parameter, quoted in messages.

    Returns
    -------
    tuple of str
        Distinct types, in the contract's order (so that equal definitions
        compare equal).

    Raises
    ------
    ParamsError
        An empty list, or a type that is not an event type of the contract
        (every one named).

    Examples
    --------
    >>> check_accompaniment(["atelier", "entretien_individuel"])
    ('entretien_individuel', 'atelier')
    >>> check_accompaniment("entretien_individuel")
    ('entretien_individuel',)
    >>> check_accompaniment(["entretien"])
    Traceback (most recent call last):
    ...
    observatoire.exceptions.ParamsError: accompagnement: 'entretien' is not an event type; types are entretien_individuel, atelier, information_collective, contact_telephonique, contact_ecrit
    """
    if types is None:
        return current_accompaniment()
    if isinstance(types, str):
        types = [t for t in types.split(",")]
    if not isinstance(types, (list, tuple, set, frozenset)):
        raise ParamsError(
            f"{where}: expected a list of event types, got {type(types).__name__}"
        )
    items = [t.strip() if isinstance(t, str) else t for t in types]
    items = [t for t in items if t != ""]
    unknown = [t for t in items if t not in TYPES_EVENEMENT]
    if unknown:
        listed = ", ".join(repr(t) for t in unknown)
        verb = "is not an event type" if len(unknown) == 1 else "are not event types"
        raise ParamsError(
            f"{where}: {listed} {verb}; types are {', '.join(TYPES_EVENEMENT)}"
        )
    if not items:
        raise ParamsError(
            f"{where}: an empty list; name at least one event type "
            f"(national definition: {', '.join(NATIONAL_ACCOMPANIMENT)})"
        )
    return tuple(t for t in TYPES_EVENEMENT if t in items)


def current_accompaniment() -> tuple[str, ...]:
    """The event types that define « accompanied » where none are passed."""
    return _CURRENT.get()


@contextlib.contextmanager
def accompaniment(types: Iterable[str] | str | None) -> Iterator[tuple[str, ...]]:
    """Within the block, indicators count as accompanied whoever had these events.

    ``None`` keeps the definition in force. Functions given an explicit
    ``accompagnement`` argument follow that argument instead.

    Examples
    --------
    >>> with accompaniment(["entretien_individuel"]):
    ...     current_accompaniment()
    ('entretien_individuel',)
    >>> current_accompaniment() == NATIONAL_ACCOMPANIMENT
    True
    """
    checked = check_accompaniment(types)
    token = _CURRENT.set(checked)
    try:
        yield checked
    finally:
        _CURRENT.reset(token)


def is_national(types: Iterable[str] | None = None) -> bool:
    """Whether ``types`` (default: the definition in force) is the national definition."""
    return check_accompaniment(types) == NATIONAL_ACCOMPANIMENT


def accompaniment_sentence(types: Iterable[str] | str | None = None) -> str:
    """The definition in force as one French sentence, for reports and exports.

    Examples
    --------
    >>> print(accompaniment_sentence())
    Jeunes accompagnés : jeunes ayant eu au moins un entretien individuel, un atelier ou une information collective dans la période, dans la Mission Locale où a eu lieu l'événement (définition nationale du réseau des Missions Locales).
    >>> print(accompaniment_sentence(["entretien_individuel"]))
    Jeunes accompagnés : jeunes ayant eu au moins un entretien individuel dans la période, dans la Mission Locale où a eu lieu l'entretien (définition de l'observatoire, plus stricte que la définition nationale, qui compte aussi les ateliers et les informations collectives).
    """
    checked = check_accompaniment(types)
    names = [_EVENT_FR[t] for t in checked]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " ou " + names[-1]
    where = "l'entretien" if checked == ("entretien_individuel",) else "l'événement"
    head = (
        f"Jeunes accompagnés : jeunes ayant eu au moins {listed} dans la période, "
        f"dans la Mission Locale où a eu lieu {where}"
    )
    if checked == NATIONAL_ACCOMPANIMENT:
        return head + " (définition nationale du réseau des Missions Locales)."
    national = set(NATIONAL_ACCOMPANIMENT)
    chosen = set(checked)
    if chosen < national:
        missing = [
            {
                "entretien_individuel": "les entretiens individuels",
                "atelier": "les ateliers",
                "information_collective": "les informations collectives",
            }[t]
            for t in NATIONAL_ACCOMPANIMENT
            if t not in chosen
        ]
        also = missing[0] if len(missing) == 1 else " et ".join(missing)
        return (
            head + " (définition de l'observatoire, plus stricte que la définition "
            f"nationale, qui compte aussi {also})."
        )
    if chosen > national:
        return (
            head
            + " (définition de l'observatoire, plus large que la définition nationale)."
        )
    return (
        head + " (définition de l'observatoire, différente de la définition nationale)."
    )


def accompanied_mask(
    types_column: pd.Series, accompagnement: Iterable[str] | str | None = None
) -> np.ndarray:
    """Which events make their young person accompanied (bool array).

    Factorised first: millions of events hold five distinct types.
    """
    checked = check_accompaniment(accompagnement)
    codes, uniques = pd.factorize(types_column)
    hit = np.asarray(pd.Index(uniques).astype(str).isin(checked), dtype=bool)
    if len(hit) == 0:
        return np.zeros(len(types_column), dtype=bool)
    return np.where(codes >= 0, hit[np.maximum(codes, 0)], False)


def definitions_in_force(
    accompagnement: Iterable[str] | str | None = None,
) -> dict[str, tuple[str, str]]:
    """:data:`DEFINITIONS` with ``jeunes_accompagnes`` under the definition in force.

    For exports and reports: the label and definition of each column, the
    accompanied described as ``accompagnement`` (default: the definition in
    force) says.
    """
    out = dict(DEFINITIONS)
    sentence = accompaniment_sentence(accompagnement)
    label, _ = out["jeunes_accompagnes"]
    out["jeunes_accompagnes"] = (
        label,
        "Jeunes distincts" + sentence[len("Jeunes accompagnés : jeunes") :],
    )
    return out
