"""Reading and validating activity catalogues from CSV/XLSX, and writing exports.

Plain Python with no Django import: the landscape app calls :func:`parse_activity_file` on an
upload and turns the resulting :class:`ActivityRow` objects into model rows; exports and the
downloadable template come from the ``activities_to_*`` and ``template_*`` functions.

Modules: ``columns`` (the template and header matching), ``values`` (single cells),
``reading`` (bytes to raw rows), ``parsing`` (validation) and ``writing`` (exports).
"""

from .columns import TEMPLATE_COLUMNS, TemplateColumn
from .messages import MESSAGES, SpreadsheetError
from .parsing import ActivityRow, ParseResult, RowError, parse_activity_file
from .values import derive_key, neutralise_formula, parse_decimal
from .writing import activities_to_csv, activities_to_xlsx, template_csv, template_xlsx

__all__ = [
    "MESSAGES",
    "TEMPLATE_COLUMNS",
    "ActivityRow",
    "ParseResult",
    "RowError",
    "SpreadsheetError",
    "TemplateColumn",
    "activities_to_csv",
    "activities_to_xlsx",
    "derive_key",
    "neutralise_formula",
    "parse_activity_file",
    "parse_decimal",
    "template_csv",
    "template_xlsx",
]
