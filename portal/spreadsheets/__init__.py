"""Spreadsheets in and out: one reading layer for every import, one writing layer for every export.

- portal.spreadsheets.reading: CSV/XLSX/XLS/ODS files as people make them, within size and row
  limits (SpreadsheetError for a file that cannot be read);
- portal.spreadsheets.values: dates, amounts and codes as people write them, the header row
  found below title rows through a table of synonyms;
- portal.spreadsheets.writing: streamed CSV with a formula guard, typed XLSX (money and date
  formats, widths, frozen header, autofilter) in write-only mode;
- portal.spreadsheets.checking: what every import's check step shares: the header found on the
  sheet the person chose (else the first with a header), the data rows with the file's line
  numbers, checked files kept between the check and the import, queued imports (run_job);
- portal.spreadsheets.flow: the check step of an import page, written once (check_step): the
  upload, the check, the kept file checked again or confirmed, wrong rows refused, big files
  queued; the view gives what differs and writes the rows.
"""
from portal.spreadsheets.reading import MAX_UPLOAD, SpreadsheetError, Table, read
from portal.spreadsheets.writing import (FORMULA_STARTS, Column, csv_bytes, csv_file, csv_stream,
                                         csv_text, safe_cell, safe_row, scope_name, xlsx_bytes,
                                         xlsx_file)

__all__ = ["FORMULA_STARTS", "MAX_UPLOAD", "Column", "SpreadsheetError", "Table", "csv_bytes",
           "csv_file", "csv_stream", "csv_text", "read", "safe_cell", "safe_row", "scope_name", "xlsx_bytes", "xlsx_file"]
