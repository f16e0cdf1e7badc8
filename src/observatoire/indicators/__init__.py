"""Contract indicators: per Mission Locale, department and region, by year or month.

Front door
----------
- :func:`compute`: every contract count and rate (Wilson 95 % bounds) for every
  ML, department and the region, for a year, its months, or one month.
- :func:`key_figures`: the regional key figures of a year (activity, profile,
  entries, support schemes, aids) per department and region, with the change
  from the same months of the year before (:func:`months_compared`: the whole
  year, or January to the latest complete month of a year not yet over), as a
  tidy table.
- :func:`monthly_followup`: one month and the year to date, against the same
  month and year to date of the year before.
- :func:`hierarchy`: which department holds which ML (for ``disclosure``).
- Who counts as accompanied: every function takes ``accompagnement`` (event
  types; default :data:`NATIONAL_ACCOMPANIMENT`, the network's national
  definition: interview, workshop or collective information);
  :func:`accompaniment` sets it for a block of code (a report run),
  :func:`accompaniment_sentence` states it in French for reports and exports,
  :func:`definitions_in_force` gives :data:`DEFINITIONS` under it.
- Column names and their French labels/definitions: :data:`OUTPUT_COLUMNS`,
  :data:`COUNT_COLUMNS`, :data:`RATE_COLUMNS`, :data:`RATES`, :data:`DEFINITIONS`.

Reading of the contract ("Indicator definitions")
--------------------------------------------------
Where the contract leaves room, these are the choices made; tests pin each one
(``tests/test_indicators.py`` and the fixture ``tests/fixtures/indicateurs/``).

1. *Distinct people.* Every figure about young people counts distinct
   ``id_jeune`` in its cell: a department or the region counts a person seen by
   two of its MLs once, so it can be smaller than the sum of its MLs; a ``cumul``
   (January to month m) figure counts a person once over those months, so it is
   not the sum of the months. ``entretiens`` (events) and ``premiers_accueils``
   (one date per person) do add up over MLs and months.
2. *Attribution to an ML.* Contact and accompaniment belong to the ML where the
   event happened (``evenements.code_ml``); first reception to the ML holding the
   file (``jeunes.code_ml``); a department is the one ``missions_locales`` gives
   its ML, the region is every ML (code ``NAQ``).
3. *Entries.* A person enters in P at an ML when accompanied in P at that ML and
   holding a situation of the kind whose ``date_debut`` is in P and whose ``etat``
   is not ``prevue`` (``en_cours``, ``terminee`` and ``abandonnee`` all count:
   the person did start). The person need not be accompanied before the entry:
   both only have to fall in P. A person with two entries of a kind in P counts
   once; a person accompanied by two MLs in P counts at both MLs, once in a
   department holding both, and once in the region. For ``cumul`` rows P is
   January to the month, so a person accompanied in February who enters in May
   counts from May on (and one accompanied in June who entered in March counts
   from June on).
4. *Durable employment* (``entrees_emploi_durable``): at least one emploi entry in
   P that is a ``cdi`` or has ``date_fin_prevue - date_debut >= 183`` days ("6
   months" read as 183 days: a CDD from 1 January to 1 July, 181 days, is not
   durable). No planned end and not a CDI: not durable.
5. *After a region-funded training*
   (``entrees_emploi_sortants_formation_region``): at least one emploi entry in P
   whose ``date_debut`` is 0 to 183 days (both included) after the ``date_fin`` of
   a ``formation`` situation of the same person with ``financeur == "region"``, a
   ``date_fin`` set and an ``etat`` other than ``prevue``; the training may have
   started or ended in an earlier year and needs no link to the ML.
6. *Every unit gets its row*: every ML of ``missions_locales`` (sorted by
   ``code_ml``) even with only zeros; every department holding at least one ML
   (contract order); the region.
7. *Rates* are proportions in [0, 1] over ``jeunes_accompagnes`` of the same row,
   NaN when it is 0, with a Wilson score interval at z = 1.959963984540054.
8. *Periods*: a year gives one ``annee`` row per unit; with ``monthly=True`` 12
   ``mois`` and 12 ``cumul`` rows instead (the annual row equals the December
   ``cumul`` row); a month gives its ``mois`` and ``cumul`` rows.
9. *Rows the loader would reject* (event at an unknown ML, missing id) are
   ignored with a warning rather than counted somewhere arbitrary.

Speed: events are encoded as integers once per table, and the counts of a
year (January to December, monthly and year to date at once) are kept for the
last two years asked, so ``compute(y)``, ``compute(y, monthly=True)``,
``key_figures(y)`` and ``monthly_followup(y)`` count year ``y`` once. Tables are
treated as immutable: change a warehouse by building a new one
(``dataclasses.replace``), never by editing its frames in place.
``_reference.compute_reference`` is a plain pandas version of the same
definitions; the tests check both agree.
"""

from ._accompaniment import (
    NATIONAL_ACCOMPANIMENT,
    accompanied_mask,
    accompaniment,
    accompaniment_sentence,
    check_accompaniment,
    current_accompaniment,
    definitions_in_force,
    is_national,
)
from ._core import (
    AFTER_TRAINING_DAYS,
    DURABLE_DAYS,
    Period,
    compute,
    hierarchy,
    parse_period,
    wilson_interval,
)
from ._definitions import (
    COUNT_COLUMNS,
    DEFINITIONS,
    INDICATOR_COLUMNS,
    KEY_COLUMNS,
    OUTPUT_COLUMNS,
    RATE_COLUMNS,
    RATES,
    REGION_CODE,
    REGION_NAME,
    SUBSET_RELATIONS,
    TIME_ADDITIVE,
)
from ._key_figures import KEY_FIGURE_COLUMNS, key_figures, months_compared
from ._monthly import FOLLOWUP_COLUMNS, monthly_followup

__all__ = [
    "AFTER_TRAINING_DAYS",
    "COUNT_COLUMNS",
    "DURABLE_DAYS",
    "DEFINITIONS",
    "FOLLOWUP_COLUMNS",
    "INDICATOR_COLUMNS",
    "KEY_COLUMNS",
    "KEY_FIGURE_COLUMNS",
    "NATIONAL_ACCOMPANIMENT",
    "OUTPUT_COLUMNS",
    "RATES",
    "RATE_COLUMNS",
    "REGION_CODE",
    "REGION_NAME",
    "SUBSET_RELATIONS",
    "TIME_ADDITIVE",
    "Period",
    "accompanied_mask",
    "accompaniment",
    "accompaniment_sentence",
    "check_accompaniment",
    "compute",
    "current_accompaniment",
    "definitions_in_force",
    "hierarchy",
    "is_national",
    "key_figures",
    "months_compared",
    "monthly_followup",
    "parse_period",
    "wilson_interval",
]
