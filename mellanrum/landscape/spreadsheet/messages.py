"""User-facing messages in Swedish and English, and the file-level error type.

Every message is a whole sentence with named printf-style placeholders, so the Django side can
later route the English text through gettext as a msgid.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["MESSAGES", "SpreadsheetError", "render", "render_count"]

#: code -> (Swedish, English)
MESSAGES: Mapping[str, tuple[str, str]] = {
    # File-level problems.
    "file_empty": ("Filen är tom.", "The file is empty."),
    "file_too_large": (
        "Filen är %(size)s MB men får vara högst %(limit)s MB.",
        "The file is %(size)s MB but may be at most %(limit)s MB.",
    ),
    "too_many_rows": (
        "Filen har fler än %(limit)s rader. Dela upp den i flera filer.",
        "The file has more than %(limit)s rows. Split it into several files.",
    ),
    "no_header": (
        "Filen saknar rubrikrad. Ingen av de %(rows)s första raderna med innehåll har "
        "kolumnrubriker som känns igen, till exempel Namn eller Verksamhet.",
        "The file has no header row. None of the first %(rows)s rows with content has column "
        "headers that are recognised, for example Name or Activity.",
    ),
    "missing_required": (
        "Rubrikraden saknar den obligatoriska kolumnen %(column)s.",
        "The header row lacks the required column %(column)s.",
    ),
    "unknown_columns": (
        "Filen har kolumner som inte känns igen: %(columns)s. "
        "Byt namn på dem enligt mallen eller ta bort dem.",
        "The file has columns that are not recognised: %(columns)s. "
        "Rename them as in the template or remove them.",
    ),
    "too_many_columns": (
        "Rubrikraden har %(count)s kolumner, men högst %(limit)s kan läsas. "
        "Ta bort kolumnerna som inte gäller verksamheterna.",
        "The header row has %(count)s columns, but at most %(limit)s can be read. "
        "Remove the columns that are not about the activities.",
    ),
    "mapping_duplicate": (
        "Kolumnerna %(headers)s är kopplade till samma fält, %(column)s. "
        "Koppla bara en av dem och ignorera de andra.",
        "The columns %(headers)s are mapped to the same field, %(column)s. "
        "Map only one of them and ignore the others.",
    ),
    "mapping_no_name": (
        "Ingen kolumn är kopplad till %(column)s. Välj vilken kolumn som innehåller "
        "verksamhetens namn.",
        "No column is mapped to %(column)s. Choose the column that holds the activity's name.",
    ),
    "map_bad_form": (
        "Kopplingen %(given)s ska skrivas RUBRIK=FÄLT, till exempel Verksamhet=Namn, "
        "eller RUBRIK=- för att ignorera kolumnen.",
        "The mapping %(given)s must be written HEADER=FIELD, for example Verksamhet=Name, "
        "or HEADER=- to ignore the column.",
    ),
    "map_unknown_field": (
        "Fältet %(field)s i kopplingen %(given)s finns inte. Använd en rubrik ur mallen, "
        "till exempel %(example)s, eller - för att ignorera kolumnen.",
        "The field %(field)s in the mapping %(given)s does not exist. Use a template header, "
        "for example %(example)s, or - to ignore the column.",
    ),
    "map_unknown_header": (
        "Filen har ingen kolumn som heter %(header)s (kopplingen %(given)s).",
        "The file has no column called %(header)s (the mapping %(given)s).",
    ),
    "duplicate_columns": (
        "Kolumnen %(column)s förekommer flera gånger: %(headers)s.",
        "The column %(column)s appears more than once: %(headers)s.",
    ),
    "xls_format": (
        "Filen är i det gamla Excel-formatet (.xls) eller lösenordsskyddad. "
        "Spara den som .xlsx eller CSV och försök igen.",
        "The file is in the old Excel format (.xls) or password protected. "
        "Save it as .xlsx or CSV and try again.",
    ),
    "not_xlsx": (
        "Filen är en zip-fil men inte en Excel-fil (.xlsx). Spara den som .xlsx eller CSV.",
        "The file is a zip file but not an Excel file (.xlsx). Save it as .xlsx or CSV.",
    ),
    "broken_xlsx": (
        "Excel-filen är skadad och kan inte läsas.",
        "The Excel file is damaged and cannot be read.",
    ),
    "xlsx_too_large_uncompressed": (
        "Excel-filen blir större än %(limit)s MB när den packas upp och kan inte läsas.",
        "The Excel file grows beyond %(limit)s MB when unpacked and cannot be read.",
    ),
    "no_sheet": (
        "Excel-filen innehåller inget kalkylblad.",
        "The Excel file contains no worksheet.",
    ),
    "formula_without_value": (
        "Cellerna %(cells)s innehåller formler utan sparat värde. "
        "Öppna filen i Excel, spara den och ladda upp den igen.",
        "The cells %(cells)s contain formulas without a saved value. "
        "Open the file in Excel, save it and upload it again.",
    ),
    "not_xlsx_content": (
        "Filen %(filename)s heter som en Excel-fil men innehållet är inte en Excel-fil (.xlsx).",
        "The file %(filename)s is named like an Excel file but its content is not .xlsx.",
    ),
    "html_format": (
        "Filen är en webbsida (HTML), inte ett kalkylblad. "
        "Öppna den i Excel och spara den som .xlsx.",
        "The file is a web page (HTML), not a spreadsheet. Open it in Excel and save it as .xlsx.",
    ),
    "unknown_format": (
        "Filformatet känns inte igen. Ladda upp en CSV-fil eller en Excel-fil (.xlsx).",
        "The file format is not recognised. Upload a CSV file or an Excel file (.xlsx).",
    ),
    "undecodable": (
        "Filen innehåller tecken som inte kan läsas. Spara den som CSV UTF-8 och försök igen.",
        "The file contains characters that cannot be read. Save it as CSV UTF-8 and try again.",
    ),
    "malformed_csv": (
        "CSV-filen kunde inte läsas vid rad %(row)s. Kontrollera citattecknen.",
        "The CSV file could not be read at row %(row)s. Check the quotation marks.",
    ),
    # Row-level problems.
    "required": ("%(column)s måste fyllas i.", "%(column)s must be filled in."),
    "too_long": (
        "Texten är %(length)s tecken lång men får vara högst %(limit)s tecken.",
        "The text is %(length)s characters long but may be at most %(limit)s characters.",
    ),
    "control_characters": (
        "Texten innehåller otillåtna kontrolltecken.",
        "The text contains control characters that are not allowed.",
    ),
    "not_a_number": (
        "Värdet är inte ett tal. Skriv till exempel 1 234,50.",
        "The value is not a number. Write for example 1 234,50 or 1234.5.",
    ),
    "ambiguous_number": (
        "Talet kan tolkas på flera sätt. "
        "Skriv det med decimalkomma och utan punkter, till exempel 1234,5.",
        "The number can be read in more than one way. "
        "Write it with one decimal separator and no grouping, for example 1234.5.",
    ),
    "negative": ("Värdet får inte vara negativt.", "The value must not be negative."),
    "number_too_large": (
        "Värdet får vara högst %(limit)s.",
        "The value may be at most %(limit)s.",
    ),
    "bad_kind": (
        "Typen känns inte igen. Använd Tjänst, Intern process eller E-tjänst.",
        "The kind is not recognised. Use Service, Internal process or E-service.",
    ),
    "unknown_category": (
        "Kategorin finns inte i kategorilistan. Ange en kod som 3.2 eller en kategoris namn.",
        "The category is not in the category list. Give a code such as 3.2 or a category name.",
    ),
    "unknown_owner": (
        "Den ansvariga måste vara en av organisationens kontaktpersoner (namn eller e-postadress).",
        "The owner must be one of the organisation's contacts (name or e-mail address).",
    ),
    "bad_url": (
        "Webbadressen måste vara en fullständig adress som börjar med http:// eller https://.",
        "The web address must be a full address starting with http:// or https://.",
    ),
    "bad_key": (
        "Nyckeln får bara innehålla bokstäver, siffror, bindestreck, understreck och punkt, "
        "och vara högst 64 tecken lång.",
        "The key may only contain letters, digits, hyphens, underscores and full stops, "
        "and be at most 64 characters long.",
    ),
    "key_not_derivable": (
        "Det går inte att skapa en nyckel av namnet. Fyll i kolumnen Nyckel.",
        "A key cannot be made from the name. Fill in the Key column.",
    ),
    "duplicate_key": (
        "Nyckeln %(key)s används redan på rad %(row)s.",
        "The key %(key)s is already used on row %(row)s.",
    ),
    "duplicate_name": (
        "Samma namn finns redan på rad %(row)s. Ge raderna olika namn eller egna nycklar.",
        "The same name is already on row %(row)s. Give the rows different names or own keys.",
    ),
    "organisation_mismatch": (
        "Raden gäller organisation %(row_code)s, men importen gäller %(code)s.",
        "The row belongs to organisation %(row_code)s, but the import is for %(code)s.",
    ),
    "bad_system": (
        "Skriv varje IT-system som Produkt eller Produkt (Leverantör), åtskilda med | eller ;.",
        "Write each IT system as Product or Product (Vendor), separated by | or ;.",
    ),
    "system_too_long": (
        "IT-systemet %(system)s är längre än %(limit)s tecken.",
        "The IT system %(system)s is longer than %(limit)s characters.",
    ),
    "ambiguous_name": (
        "%(count)s verksamheter i Mellanrum heter så. Fyll i kolumnen Nyckel så att raden "
        "kan kopplas till rätt verksamhet.",
        "%(count)s activities in Mellanrum have this name. Fill in the Key column so that the "
        "row can be matched to the right one.",
    ),
    "unheaded_value": (
        "Cellen har ett värde men kolumnen saknar rubrik.",
        "The cell has a value but its column has no header.",
    ),
    # Summaries; a code ending in "_one" is the singular, see render_count().
    "summary_rows_one": (
        "%(count)s rad lästes från en %(format)s-fil.",
        "%(count)s row was read from a %(format)s file.",
    ),
    "summary_rows": (
        "%(count)s rader lästes från en %(format)s-fil.",
        "%(count)s rows were read from a %(format)s file.",
    ),
    "summary_skipped_one": (
        "%(count)s tom rad hoppades över.",
        "%(count)s empty row was skipped.",
    ),
    "summary_skipped": (
        "%(count)s tomma rader hoppades över.",
        "%(count)s empty rows were skipped.",
    ),
}


def render(code: str, language: str = "sv", params: Mapping[str, object] | None = None) -> str:
    """Return the message *code* in *language* ("sv" or "en") with *params* filled in."""
    swedish, english = MESSAGES[code]
    template = english if language == "en" else swedish
    return template % dict(params or {})


def render_count(code: str, count: int, language: str = "sv",
                 params: Mapping[str, object] | None = None) -> str:
    """The message *code* for *count* things: its ``_one`` form when *count* is 1 (Swedish and
    English both have one singular)."""
    singular = f"{code}_one"
    chosen = singular if count == 1 and singular in MESSAGES else code
    return render(chosen, language, {**(params or {}), "count": count})


class SpreadsheetError(Exception):
    """A problem with the file as a whole; nothing in it can be imported.

    ``message`` is ready to show; ``code`` and ``params`` identify it for re-translation.
    """

    def __init__(
        self, message: str, *, code: str = "", params: Mapping[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.params: dict[str, object] = dict(params or {})

    @classmethod
    def from_code(cls, code: str, language: str = "sv", **params: object) -> SpreadsheetError:
        return cls(render(code, language, params), code=code, params=params)
