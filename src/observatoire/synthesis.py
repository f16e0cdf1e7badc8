"""« À retenir »: is a change on a year more than noise, said in plain French.

The synthesis that opens each report compares a figure with the same period of
the year before. Two questions, kept apart:

* **Is the change visible at the precision shown?** A rate is shown to a tenth
  of a point, a count to the unit: a change that rounds to zero reads
  « stable », never « −0 % ».
* **Is it more than noise?** A rate is a proportion of the young people
  accompanied: two-proportion z-test. A count (entries, first receptions) over
  the same length of time is a Poisson count: exact conditional test, where
  ``c_N`` given ``c_N + c_{N-1}`` is binomial with probability 1/2 when nothing
  changed.

Verdicts are words a director reads in one minute: « hausse nette », « légère
hausse, dans la marge d'incertitude », « stable » (and the same for « baisse »).
No p-value reaches the text; the methods annex says which test is used.

The young people of two consecutive years overlap, so the two samples are not
independent: the tests treat each year's figure as the outcome of a process and
ask whether its level moved, which is the usual reading in public statistics;
positive correlation between the years makes them conservative.

:func:`wording_problems` scans a report's text for the writing mistakes a
committee member notices (English words, « (s) », « >= », doubled words,
« de » before a vowel).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .formatting import NBSP, fr_int, fr_num, fr_pct

__all__ = [
    "ALPHA",
    "Change",
    "change_in_count",
    "change_in_rate",
    "adjusted_sentence",
    "describe_count",
    "describe_rate",
    "discussion_sentence",
    "masked_sentence",
    "of_word",
    "per_month_needed",
    "plural",
    "target_sentence",
    "wording_problems",
]

#: significance level of the change tests (two-sided)
ALPHA = 0.05

_WORDS = {
    ("hausse", True): "hausse nette",
    ("hausse", False): "légère hausse, dans la marge d'incertitude",
    ("baisse", True): "baisse nette",
    ("baisse", False): "légère baisse, dans la marge d'incertitude",
}


@dataclass(frozen=True)
class Change:
    """A figure of year N against N−1, its shown change and its verdict.

    Attributes
    ----------
    value, previous : float
        The figure in N and in N−1 (a count, or a rate in [0, 1]).
    shown : str
        The change as shown: ``+1,3 point``, ``−12 %`` or ``stable``.
    direction : str
        ``hausse``, ``baisse`` or ``stable`` (at the precision shown).
    significant : bool
        The test rejects « no change » at :data:`ALPHA`.
    p_value : float
        Kept for the methods annex and tests; never printed in the synthesis.
    """

    value: float
    previous: float
    shown: str
    direction: str
    significant: bool
    p_value: float

    @property
    def verdict(self) -> str:
        """« hausse nette », « légère baisse, dans la marge d'incertitude », « stable »."""
        if self.direction == "stable":
            return "stable"
        return _WORDS[(self.direction, self.significant)]


def change_in_rate(
    k: float, n: float, k_prev: float, n_prev: float, *, digits: int = 1
) -> Change:
    """Change of a rate ``k / n`` against ``k_prev / n_prev``, in points.

    Parameters
    ----------
    k, n : float
        Numerator and denominator in year N (e.g. entries into training, young
        people accompanied).
    k_prev, n_prev : float
        The same in N−1.
    digits : int
        Decimals of the rates as shown (the change is « stable » when it rounds
        to zero at that precision).

    Returns
    -------
    Change
        ``shown`` in points (« +1,3 point », « −2,0 points »).

    Raises
    ------
    ValueError
        A denominator is not positive or a numerator is outside [0, n].

    Examples
    --------
    Hand-checked: 30 % of 1 000 against 25 % of 1 000 gives a pooled share of
    27,5 %, a standard error of sqrt(0.275 * 0.725 * 2 / 1000) = 0.01997, so
    z = 2.50 and p = 0.012: a clear rise.

    >>> c = change_in_rate(300, 1000, 250, 1000)
    >>> c.shown, c.verdict, round(c.p_value, 3)
    ('+5,0\u00a0points', 'hausse nette', 0.012)
    >>> change_in_rate(31, 100, 30, 100).verdict
    "légère hausse, dans la marge d'incertitude"
    >>> change_in_rate(300, 1000, 300.4, 1000).verdict
    'stable'
    """
    for num, den in ((k, n), (k_prev, n_prev)):
        if not den > 0 or not 0 <= num <= den:
            raise ValueError(
                f"a rate needs 0 <= numerator <= denominator > 0, got {num}/{den}"
            )
    # scipy imported here, not at the top: a report kernel that only reads the
    # cache (warm or fresh) does not load scipy, as docs/architecture.md says
    from scipy import stats

    p1, p0 = k / n, k_prev / n_prev
    points = round(100 * (p1 - p0), digits)
    pooled = (k + k_prev) / (n + n_prev)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / n_prev))
    p_value = 1.0 if se == 0 else float(2 * stats.norm.sf(abs(p1 - p0) / se))
    if points == 0:
        return Change(p1, p0, "stable", "stable", False, p_value)
    unit = "point" if abs(points) < 2 else "points"
    sign = "+" if points > 0 else "−"
    shown = f"{sign}{fr_num(abs(points), digits)}{NBSP}{unit}"
    direction = "hausse" if points > 0 else "baisse"
    return Change(p1, p0, shown, direction, p_value < ALPHA, p_value)


def change_in_count(count: float, previous: float, *, digits: int = 0) -> Change:
    """Change of a count over two periods of the same length, in percent.

    Parameters
    ----------
    count, previous : float
        The count in N and in N−1 (whole numbers).
    digits : int
        Decimals of the percentage shown.

    Returns
    -------
    Change
        ``shown`` as a signed percentage (« +12 % »), « stable » when it rounds
        to zero, « nouveau » when N−1 was zero.

    Examples
    --------
    Hand-checked: 130 against 100. Given 230 events, a split at least that
    uneven (130 or more on one side) has probability 2 × P(Bin(230, ½) ≥ 130)
    = 0.056 under « no change »: a rise of 30 % on such small counts is still
    within the noise.

    >>> c = change_in_count(130, 100)
    >>> c.shown, c.verdict, round(c.p_value, 3)
    ('+30\u00a0%', "légère hausse, dans la marge d'incertitude", 0.056)
    >>> change_in_count(1000, 850).verdict
    'hausse nette'
    >>> change_in_count(12, 10).verdict
    "légère hausse, dans la marge d'incertitude"
    >>> change_in_count(1001, 1000).shown
    'stable'
    """
    if count < 0 or previous < 0 or math.isnan(count) or math.isnan(previous):
        raise ValueError(f"counts must be >= 0, got {count} and {previous}")
    from scipy import stats  # lazy: see change_in_rate

    c1, c0 = int(round(count)), int(round(previous))
    total = c1 + c0
    p_value = 1.0 if total == 0 else float(stats.binomtest(c1, total, 0.5).pvalue)
    if c0 == 0:
        if c1 == 0:
            return Change(count, previous, "stable", "stable", False, 1.0)
        return Change(count, previous, "nouveau", "hausse", p_value < ALPHA, p_value)
    pct = round(100 * (c1 - c0) / c0, digits)
    if pct == 0:
        return Change(count, previous, "stable", "stable", False, p_value)
    sign = "+" if pct > 0 else "−"
    shown = f"{sign}{fr_num(abs(pct), digits)}{NBSP}%"
    direction = "hausse" if pct > 0 else "baisse"
    return Change(count, previous, shown, direction, p_value < ALPHA, p_value)


# ---------------------------------------------------------------- wording scan
#: English words that have slipped into French report text before
_ENGLISH = (
    "the", "and", "of", "with", "from", "rate", "rates", "count", "counts",
    "none", "true", "false", "nan", "null", "missing", "error",
    "warning", "region", "training", "employment", "young", "people",
)  # fmt: skip
# « h » is left out: whether « de h… » elides depends on the word (h aspiré)
_VOWEL_START = "aeiouyéèêàâîôû"
_PATTERNS = (
    (re.compile(r"\(s\)"), "« (s) » : accorder le nombre"),
    (re.compile(r"[<>]="), "« >= » ou « <= » : écrire « au moins » / « au plus »"),
    (
        re.compile(r"\b([^\W\d_]{2,})\s+\1\b", re.IGNORECASE),
        "mot répété",
    ),
    (
        re.compile(rf"\b[Dd]e\s+(?=[{_VOWEL_START}{_VOWEL_START.upper()}])"),
        "« de » devant une voyelle : « d' »",
    ),
    (
        re.compile(r"\b[Ll]e\s+(?=[aeiouéèêàâîôûAEIOUÉ])"),
        "« le » devant une voyelle : « l' »",
    ),
    (
        re.compile(r"(?<=[^\W\d_])[;:!?](?=\s|$)"),
        "signe double collé au mot : une espace avant « ; », « : », « ! », « ? »",
    ),
    (re.compile(r"[−-]0(?:,0+)?\s?%"), "« −0 % » : écrire « stable »"),
    (re.compile(r"\+0(?:,0+)?\s?%"), "« +0 % » : écrire « stable »"),
)
_ENGLISH_RE = re.compile(r"\b(" + "|".join(_ENGLISH) + r")\b")


def wording_problems(text: str) -> list[tuple[str, str]]:
    """Writing mistakes in a report's visible text.

    Parameters
    ----------
    text : str
        Visible text of a page (no markup, no code).

    Returns
    -------
    list of (excerpt, problem)
        Empty when the text is clean. English words are matched in lower case
        only, so French words such as « Total » at the head of a table are not
        flagged; « de » before « h » is not judged (« de handicap » but
        « d'habitants »).

    Examples
    --------
    >>> print(wording_problems("8 Mission(s) Locale(s), >= 5")[0][1])
    « (s) » : accorder le nombre
    >>> sorted({p for _, p in wording_problems("Nombre de entrées")})
    ["« de » devant une voyelle : « d' »"]
    >>> wording_problems("Nombre d'entrées, de handicap, de jeunes : 12 345")
    []
    >>> [p for _, p in wording_problems("les les jeunes")]
    ['mot répété']
    >>> len(wording_problems("plus élevé; moins élevé ; Lecture : 12:30"))
    1
    """
    found: list[tuple[str, str]] = []
    for pattern, problem in _PATTERNS:
        for m in pattern.finditer(text):
            found.append((_around(text, m.start(), m.end()), problem))
    for m in _ENGLISH_RE.finditer(text):
        found.append(
            (_around(text, m.start(), m.end()), f"mot anglais « {m.group(1)} »")
        )
    return found


def _around(text: str, start: int, end: int, width: int = 25) -> str:
    return text[max(0, start - width) : end + width].replace("\n", " ")


def describe_count(label: str, change: Change) -> str:
    """One sentence on a count: « 1 234 entrées en formation, hausse nette (+12 %) ».

    Examples
    --------
    >>> describe_count("entrées en formation", change_in_count(1000, 850))
    '1\u202f000 entrées en formation, hausse nette sur un an (+18\u00a0%).'
    >>> describe_count("premiers accueils", change_in_count(130, 100))
    "130 premiers accueils, légère hausse sur un an (+30\u00a0%), dans la marge d'incertitude."
    >>> describe_count("premiers accueils", change_in_count(1001, 1000))
    '1\u202f001 premiers accueils, stable sur un an.'
    """
    if change.direction == "stable":
        return f"{fr_int(change.value)} {label}, stable sur un an."
    word = (
        _WORDS[(change.direction, True)]
        if change.significant
        else (f"légère {change.direction}")
    )
    tail = "" if change.significant else ", dans la marge d'incertitude"
    return f"{fr_int(change.value)} {label}, {word} sur un an ({change.shown}){tail}."


def describe_rate(label: str, change: Change) -> str:
    """One sentence on a rate against the same period a year earlier.

    Parameters
    ----------
    label : str
        The rate's label, as in the report's tables (« Taux d'entrée en emploi »).
    change : Change
        From :func:`change_in_rate`.

    Examples
    --------
    >>> describe_rate("Taux d'entrée en emploi", change_in_rate(300, 1000, 250, 1000))
    "Taux d'entrée en emploi : 30,0\u00a0% contre 25,0\u00a0% un an plus tôt, hausse nette (+5,0\u00a0points)."
    >>> describe_rate("Taux d'entrée en formation", change_in_rate(30, 100, 30, 100))
    "Taux d'entrée en formation : 30,0\u00a0%, stable sur un an."
    """
    now = fr_pct(change.value)
    if change.direction == "stable":
        return f"{label} : {now}, stable sur un an."
    return (
        f"{label} : {now} contre {fr_pct(change.previous)} un an plus tôt, "
        f"{change.verdict} ({change.shown})."
    )


def masked_sentence(label: str) -> str:
    """The sentence about a figure the disclosure rules hide.

    Examples
    --------
    >>> print(masked_sentence("Les entrées en emploi"))
    Les entrées en emploi ne sont pas publiables ici (secret statistique ou trop peu de jeunes) : pas de comparaison sur un an.
    """
    return (
        f"{label} ne sont pas publiables ici (secret statistique ou trop peu de "
        "jeunes) : pas de comparaison sur un an."
    )


#: position of an ML in the adjusted comparison -> plain words
_POSITION_WORDS = {
    "au-dessus": "plus {what} qu'attendu compte tenu du profil de ses jeunes",
    "un peu au-dessus": "plus {what} qu'attendu compte tenu du profil de ses jeunes",
    "en dessous": "moins {what} qu'attendu compte tenu du profil de ses jeunes",
    "un peu en dessous": "moins {what} qu'attendu compte tenu du profil de ses jeunes",
    "dans la norme": "autant {what} qu'attendu compte tenu du profil de ses jeunes",
}


def adjusted_sentence(name: str, what: str, position: str) -> str:
    """Where an ML stands once its public is accounted for, in plain words.

    Parameters
    ----------
    name : str
        The ML's name.
    what : str
        What is counted, with its partitive (« d'entrées en emploi »).
    position : {'au-dessus', 'un peu au-dessus', 'en dessous', 'un peu en dessous', 'dans la norme'}
        The ML's position in the adjusted comparison: beyond the limits that
        chance and the profile of its young people explain (« un peu »: beyond
        the inner limits only), or within them.

    Examples
    --------
    >>> adjusted_sentence("Pau", "d'entrées en emploi", "au-dessus")
    "Pau a plus d'entrées en emploi qu'attendu compte tenu du profil de ses jeunes, au-delà de ce que le hasard explique."
    >>> adjusted_sentence("Pau", "d'entrées en emploi", "un peu en dessous")
    "Pau a un peu moins d'entrées en emploi qu'attendu compte tenu du profil de ses jeunes ; un écart à confirmer sur une autre année."
    >>> adjusted_sentence("Pau", "d'entrées en formation", "dans la norme")
    "Pau a autant d'entrées en formation qu'attendu compte tenu du profil de ses jeunes : l'écart éventuel reste dans la marge d'incertitude."
    """
    words = _POSITION_WORDS[position].format(what=what)
    if position == "dans la norme":
        return f"{name} a {words} : l'écart éventuel reste dans la marge d'incertitude."
    if position.startswith("un peu"):
        return f"{name} a un peu {words} ; un écart à confirmer sur une autre année."
    return f"{name} a {words}, au-delà de ce que le hasard explique."


def target_sentence(
    label: str,
    done: float,
    target: float,
    months_left: int,
    unit: str,
    month_name: str,
) -> str:
    """Where a target stands and what it takes to reach it by year end.

    Parameters
    ----------
    label : str
        The target's label (from the target file).
    done : float
        Achieved from January to the end of the month (published value).
    target : float
        The target (the lower bound of a range).
    months_left : int
        Months left until December (0 in December).
    unit : str
        What one unit is, plural (« entrées », « aides »).
    month_name : str
        The month measured at (« octobre 2024 »).

    Examples
    --------
    Hand-checked: 7 540 done at the end of October, 12 000 targeted, two
    months left: (12 000 − 7 540) / 2 = 2 230 a month.

    >>> target_sentence("Entrées en formation", 7540, 12000, 2, "entrées", "octobre 2024")
    "Entrées en formation : 7\u202f540 à fin octobre 2024 pour une cible de 12\u202f000 ; il faudrait 2\u202f230 entrées par mois d'ici décembre."
    >>> target_sentence("Permis B", 6100, 6000, 2, "aides", "octobre 2024")
    'Permis B : 6\u202f100 à fin octobre 2024 pour une cible de 6\u202f000 : cible atteinte.'
    >>> target_sentence("Permis B", 5000, 6000, 0, "aides", "décembre 2024")
    'Permis B : 5\u202f000 à fin décembre 2024 pour une cible de 6\u202f000 : cible non atteinte, il manque 1\u202f000 aides.'
    """
    head = f"{label} : {fr_int(done)} à fin {month_name} pour une cible de {fr_int(target)}"
    left = target - done
    if left <= 0:
        return head + " : cible atteinte."
    if months_left <= 0:
        return f"{head} : cible non atteinte, il manque {fr_int(left)} {unit}."
    return (
        f"{head} ; il faudrait {fr_int(math.ceil(left / months_left))} {unit} "
        "par mois d'ici décembre."
    )


def per_month_needed(done: float, target: float, months_left: int) -> float | None:
    """What a target needs each month until December (None when reached or over).

    >>> per_month_needed(7540, 12000, 2), per_month_needed(6100, 6000, 2)
    (2230, None)
    """
    left = target - done
    if left <= 0 or months_left <= 0:
        return None
    return math.ceil(left / months_left)


def discussion_sentence(
    changes: list[tuple[str, Change]],
    missed: list[str] | tuple[str, ...] = (),
    *,
    year_end: bool = False,
) -> str:
    """What deserves discussion at the committee: the clear falls, else the clear rises.

    Parameters
    ----------
    changes : list of (label, Change)
        The figures compared in the synthesis, labels in lower case.
    missed : list of str
        Labels of the targets out of reach at the current pace (or not
        reached, at the end of the year).
    year_end : bool
        The figures run to December: a target missed is « non atteint », no
        longer « hors d'atteinte au rythme actuel ».

    Examples
    --------
    >>> down = change_in_rate(200, 1000, 250, 1000)
    >>> up = change_in_count(1000, 850)
    >>> discussion_sentence([("le taux d'entrée en emploi", down), ("les entrées", up)])
    "À discuter en comité : la baisse nette du taux d'entrée en emploi."
    >>> discussion_sentence([("les entrées", up)])
    'À discuter en comité : ce qui explique la hausse nette des entrées.'
    >>> discussion_sentence([("les entrées", change_in_count(12, 10))])
    "À discuter en comité : aucun chiffre n'a bougé au-delà de la marge d'incertitude d'une année sur l'autre."
    >>> print(discussion_sentence([], ["Pass numériques"]))
    À discuter en comité : l'objectif hors d'atteinte au rythme actuel — pass numériques.
    >>> print(discussion_sentence([], ["Pass numériques (18 000 sur l'accord)", "Permis B"],
    ...                           year_end=True))
    À discuter en comité : les objectifs non atteints en fin d'année — pass numériques (18 000 sur l'accord) et permis B.
    """
    falls = [label for label, c in changes if c.significant and c.direction == "baisse"]
    rises = [label for label, c in changes if c.significant and c.direction == "hausse"]
    topics = [f"la baisse nette {_of(label)}" for label in falls]
    if missed:
        # a dash, not parentheses: a target's label may hold its own
        many = len(missed) > 1
        what = (
            ("les objectifs non atteints" if many else "l'objectif non atteint")
            + " en fin d'année"
            if year_end
            else ("les objectifs" if many else "l'objectif")
            + " hors d'atteinte au rythme actuel"
        )
        topics.append(f"{what} — " + _and([_lower_first(m) for m in missed]))
    if topics:
        return "À discuter en comité : " + _and(topics) + "."
    if rises:
        return (
            "À discuter en comité : ce qui explique "
            + _and([f"la hausse nette {_of(label)}" for label in rises])
            + "."
        )
    return (
        "À discuter en comité : aucun chiffre n'a bougé au-delà de la marge "
        "d'incertitude d'une année sur l'autre."
    )


def _lower_first(label: str) -> str:
    """« Pass numériques » -> « pass numériques », « CEJ » kept."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _of(label: str) -> str:
    """« de » + a label starting with an article: du, des, de la, de l'."""
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if label.startswith(article):
            return contracted + label[len(article) :]
    return "de " + label


def _and(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " et " + parts[-1]


def plural(n: int, singular: str, plural_text: str) -> str:
    """« 1 Mission Locale … », « 8 Missions Locales … »: never « (s) ».

    French takes the singular for 0 and 1.

    >>> plural(1, "mois masqué", "mois masqués"), plural(8, "ML", "MLs")
    ('1 mois masqué', '8 MLs')
    """
    return f"{fr_int(n)} {singular if abs(n) < 2 else plural_text}"


def of_word(words: str) -> str:
    """« de » before ``words``, elided before a vowel: « d'entrées », « de jeunes ».

    >>> of_word("entrées en emploi"), of_word("jeunes accompagnés")
    ("d'entrées en emploi", 'de jeunes accompagnés')
    """
    if words[:1].lower() in _VOWEL_START:
        return "d'" + words
    return "de " + words
