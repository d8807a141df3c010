"""Export and import speed of the spreadsheet layer: rows/s and peak memory.

    python bench/export_bench.py [--sizes 1000,10000,100000] [--writers xlsxwriter,openpyxl]

Writes the sales export's seven columns (date, codes, money, texts) through
- CSV (portal.spreadsheets.csv_file, streamed),
- XLSX through the portal's streaming writer ("xlsx"), XlsxWriter constant-memory and openpyxl
  write-only (the alternatives measured against it),
and reads a 20,000-row XLSX back through python-calamine (the portal's reader) and openpyxl
read-only. Each figure in its own child process, so peak RSS is the writer's own.
Goal (issue 16): XLSX of 100,000 rows ≤ 15 s and ≤ 200 MB peak.
"""
import argparse
import io
import multiprocessing
import resource
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _rows(count: int):
    for i in range(count):
        yield [date(2026, 1 + i % 12, 1 + i % 28), f"K{i % 5000:05d}", "BB",
               Decimal(100 + i % 997) + Decimal("0.50"), f"FP-{i:08d}", f"测试客户{i % 5000}",
               "张三"]


def _columns():
    from portal.spreadsheets.writing import Column

    return [Column("日期", "date"), Column("客户编号"), Column("产品线编号"),
            Column("金额", "money"), Column("单号"), Column("客户名称"), Column("业绩归属")]


def _write(kind: str, count: int, queue) -> None:
    from portal.spreadsheets import writing

    started = time.perf_counter()
    if kind == "csv":
        out = writing.csv_file(_columns(), _rows(count))
    elif kind == "xlsx":
        out = writing.xlsx_file("sales", _columns(), _rows(count))
    elif kind == "xlsxwriter":
        out = io.BytesIO()
        writing._write_xlsx_xlsxwriter(out, "sales", _columns(), _rows(count))
    else:
        out = io.BytesIO()
        writing._write_xlsx_openpyxl(out, "sales", _columns(), _rows(count))
    out.seek(0, 2)
    seconds = time.perf_counter() - started
    queue.put((seconds, out.tell(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def _read(reader: str, content: bytes, queue) -> None:
    started = time.perf_counter()
    if reader == "calamine":
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        count = sum(1 for _ in book.get_sheet_by_index(0).iter_rows())
    else:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    queue.put((time.perf_counter() - started, count,
               resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def _child(target, *args):
    queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--writers", default="csv,xlsx,xlsxwriter,openpyxl")
    parser.add_argument("--read-rows", type=int, default=20000)
    args = parser.parse_args()
    print(f"{'writer':<11} {'rows':>7} {'seconds':>8} {'rows/s':>8} {'MB file':>8} {'MB peak':>8}")
    for kind in args.writers.split(","):
        for count in (int(n) for n in args.sizes.split(",")):
            seconds, size, peak = _child(_write, kind, count)
            print(f"{kind:<11} {count:>7} {seconds:>8.2f} {count / seconds:>8.0f} "
                  f"{size / 1e6:>8.1f} {peak:>8.0f}", flush=True)
    if args.read_rows:
        from portal.spreadsheets import writing

        content = writing.xlsx_bytes("sales", _columns(), _rows(args.read_rows))
        for reader in ("calamine", "openpyxl"):
            seconds, count, peak = _child(_read, reader, content)
            print(f"read {reader:<9} {count:>7} rows {seconds:>6.2f} s {count / seconds:>8.0f} "
                  f"rows/s {peak:>6.0f} MB peak", flush=True)


if __name__ == "__main__":
    main()
