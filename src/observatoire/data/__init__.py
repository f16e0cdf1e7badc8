"""Loading and validation of an iMilo warehouse extract (the data contract).

Front door: :func:`load` returns a :class:`Warehouse`; :data:`SCHEMA` is the
contract as code; :func:`write_extract` writes an extract directory.

Loading is two stages, so that a step can sit between them: reading
(:func:`read_extract` for a directory, ``_sql`` for a database) gives raw
tables as they are, :func:`validate` applies every rule of the contract.

What other packages share is here: the contract's vocabularies (the category
values of each coded column, ``TYPES_EVENEMENT``...), :func:`empty_frame` and
:func:`pandas_dtype` for a table of the schema, the correspondence file
(:func:`load_correspondence`, :func:`write_draft`, :func:`unmapped_summary`) and
the name of an extract's metadata file (:data:`METADATA_FILE`).
"""

from .._io import is_database_url
from ._correspondances import (
    Correspondence,
    load_correspondence,
    unmapped_summary,
    write_draft,
)
from ._load import format_reconciliation, load, read_extract, write_rejects
from ._schema import (
    CATEGORIES_SITUATION,
    CODE_PATTERN,
    DEPARTEMENT_NAMES,
    DEPARTEMENTS,
    DISPOSITIFS,
    ETATS_SITUATION,
    FINANCEURS_AIDE,
    FINANCEURS_FORMATION,
    NIVEAUX_DIPLOME,
    POLITIQUES_REGIONALES,
    SCHEMA,
    SEXES,
    SOUS_CATEGORIES,
    TYPES_AIDE,
    TYPES_ANIMATION,
    TYPES_EVENEMENT,
    empty_frame,
    pandas_dtype,
)
from ._sql import mask_url, write_sql
from ._validate import RawTable, validate
from ._warehouse import Coverage, Warehouse
from ._write import METADATA_FILE, write_extract

__all__ = [
    "CATEGORIES_SITUATION",
    "CODE_PATTERN",
    "Correspondence",
    "Coverage",
    "DEPARTEMENTS",
    "DEPARTEMENT_NAMES",
    "DISPOSITIFS",
    "ETATS_SITUATION",
    "FINANCEURS_AIDE",
    "FINANCEURS_FORMATION",
    "METADATA_FILE",
    "NIVEAUX_DIPLOME",
    "POLITIQUES_REGIONALES",
    "RawTable",
    "SCHEMA",
    "SEXES",
    "SOUS_CATEGORIES",
    "TYPES_AIDE",
    "TYPES_ANIMATION",
    "TYPES_EVENEMENT",
    "Warehouse",
    "empty_frame",
    "format_reconciliation",
    "is_database_url",
    "load",
    "load_correspondence",
    "mask_url",
    "pandas_dtype",
    "read_extract",
    "unmapped_summary",
    "validate",
    "write_draft",
    "write_extract",
    "write_rejects",
    "write_sql",
]
