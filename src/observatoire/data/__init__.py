"""Loading and validation of an iMilo warehouse extract (the data contract).

Front door: :func:`load` returns a :class:`Warehouse`; :data:`SCHEMA` is the
contract as code; :func:`write_extract` writes an extract directory.

Loading is two stages, so that a step can sit between them: reading
(:func:`read_extract` for a directory, ``_sql`` for a database) gives raw
tables as they are, :func:`validate` applies every rule of the contract.
"""

from .._io import is_database_url
from ._load import format_reconciliation, load, read_extract, summarise, write_rejects
from ._schema import CODE_PATTERN, DEPARTEMENT_NAMES, DEPARTEMENTS, SCHEMA
from ._sql import mask_url, write_sql
from ._validate import RawTable, validate
from ._warehouse import Coverage, Warehouse
from ._write import write_extract

__all__ = [
    "CODE_PATTERN",
    "Coverage",
    "DEPARTEMENTS",
    "DEPARTEMENT_NAMES",
    "RawTable",
    "SCHEMA",
    "Warehouse",
    "format_reconciliation",
    "is_database_url",
    "load",
    "mask_url",
    "read_extract",
    "summarise",
    "validate",
    "write_extract",
    "write_rejects",
    "write_sql",
]
