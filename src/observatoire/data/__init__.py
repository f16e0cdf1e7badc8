"""Loading and validation of an iMilo warehouse extract (the data contract).

Front door: :func:`load` returns a :class:`Warehouse`; :data:`SCHEMA` is the
contract as code; :func:`write_extract` writes an extract directory.
"""

from ._load import format_reconciliation, load, summarise, write_rejects
from ._schema import DEPARTEMENT_NAMES, DEPARTEMENTS, SCHEMA
from ._sql import mask_url, write_sql
from ._warehouse import Coverage, Warehouse
from ._write import write_extract

__all__ = [
    "Coverage",
    "DEPARTEMENTS",
    "DEPARTEMENT_NAMES",
    "SCHEMA",
    "Warehouse",
    "format_reconciliation",
    "load",
    "mask_url",
    "summarise",
    "write_extract",
    "write_rejects",
    "write_sql",
]
