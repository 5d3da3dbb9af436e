"""The one CSV writer of every export: cells that a spreadsheet would run as a formula are escaped.
(And of the rows an import stages with PostgreSQL's COPY: those are for the database, not for a
spreadsheet, so ``copy_rows`` writes them as they are.)

OWASP's advice for CSV injection: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading single quote, so spreadsheet programs show it as text. Numbers,
dates and empty cells are written as they are. The ``csv`` module then quotes what needs quoting.
"""

import csv
import io

from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """One value made safe for a spreadsheet."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Writer:
    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([cell(str(v)) if _is_text(v) else v for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class _DictWriter(csv.DictWriter):
    def writerow(self, rowdict):
        return super().writerow({k: cell(str(v)) if _is_text(v) else v for k, v in rowdict.items()})


def _is_text(value) -> bool:
    # Lazy translations and other objects become text in the file, so they are checked as text.
    return value is not None and not isinstance(value, (int, float)) and not hasattr(value, "as_tuple") \
        and not hasattr(value, "isoformat")


def writer(stream, **kwargs):
    """Like ``csv.writer``, escaping formula cells."""
    return _Writer(stream, **kwargs)


def dict_writer(stream, fieldnames, **kwargs) -> csv.DictWriter:
    """Like ``csv.DictWriter``, escaping formula cells (the header row is written as given)."""
    return _DictWriter(stream, fieldnames=fieldnames, **kwargs)


class SafeCsvExportMixin:
    """For Wagtail index views with ``list_export``: the CSV download escapes formula cells too (the
    XLSX download already stores them as text)."""

    def write_csv_row(self, writer, row_dict):
        row = {}
        for field, value in row_dict.items():
            value = self.preprocess_field_value(field, value, self.FORMAT_CSV)
            row[field] = cell(str(value)) if _is_text(value) else value
        return writer.writerow(row)


def csv_download(filename: str, rows) -> HttpResponse:
    """A CSV attachment of ``rows`` (the first row the header), UTF-8 with a BOM so Excel reads Chinese."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer(response).writerows(rows)
    return response


def copy_rows(rows) -> bytes:
    """``rows`` as CSV for ``COPY ... FROM STDIN WITH (FORMAT csv)``, exactly as given: no formula escaping."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()
