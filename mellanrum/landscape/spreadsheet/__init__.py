"""Reading and validating activity catalogues from CSV/XLSX, and writing exports.

Plain Python with no Django import: the landscape app calls :func:`parse_activity_file` on an
upload and turns the resulting :class:`ActivityRow` objects into model rows; exports and the
downloadable template come from the ``activities_to_*`` and ``template_*`` functions.

Modules: ``columns`` (the template and header matching),
``mapping`` (which column is which field), ``values`` (single cells),
``reading`` (bytes to raw rows), ``parsing`` (validation) and ``writing`` (exports).
"""

from .columns import TEMPLATE_COLUMNS, TemplateColumn
from .mapping import IGNORE, ColumnChoice, MappingNeeded, parse_map_option, suggest_field
from .messages import MESSAGES, SpreadsheetError
from .parsing import ActivityRow, ParseResult, RowError, parse_activity_file
from .values import derive_key, neutralise_formula, normalise_name, parse_decimal
from .writing import activities_to_csv, activities_to_xlsx, template_csv, template_xlsx

__all__ = [
    "IGNORE",
    "MESSAGES",
    "TEMPLATE_COLUMNS",
    "ActivityRow",
    "ColumnChoice",
    "MappingNeeded",
    "ParseResult",
    "RowError",
    "SpreadsheetError",
    "TemplateColumn",
    "activities_to_csv",
    "activities_to_xlsx",
    "derive_key",
    "neutralise_formula",
    "normalise_name",
    "parse_activity_file",
    "parse_map_option",
    "parse_decimal",
    "suggest_field",
    "template_csv",
    "template_xlsx",
]
