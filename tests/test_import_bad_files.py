"""Issue 17-e: every import that accepts a file (sales, customers, the targets grid, people)
given a file that is not a spreadsheet, a decompression bomb, 50 MB, or a formula in every
cell: a clear error within 2 s and 100 MB, nothing written, the server still up."""
import io
import resource
import time

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import User
from portal.models.customers import Customer
from portal.models.sales import ImportJob, SalesRecord, SalesTarget
from tests import make_files

#: import → (URL, who imports, the model it writes, the header of its formula file)
IMPORTS = {
    "sales": ("/targets/sales/import", "staff1", SalesRecord,
              ("date", "customer", "product_line", "amount", "reference")),
    "customers": ("/customers/import", "manager1", Customer,
                  ("code", "name", "type", "tier", "owner")),
    "targets": ("/targets/grid/import", "manager1", SalesTarget,
                ("username", "2027-01", "2027-02", "2027-03", "product line")),
    "people": ("/admin/users/import", "admin", User,
               ("username", "display name", "email", "phone", "roles")),
}
BAD = {
    "not-a-spreadsheet.xlsx": (lambda header: (make_files.FILES /
                                               "not-a-spreadsheet.xlsx").read_bytes(),
                               "not a readable Excel"),
    "bomb.xlsx": (lambda header: make_files.zip_bomb(), "unpacks to more than"),
    "big.csv": (lambda header: make_files.oversize(), "larger than"),
    "formulas.xlsx": (make_files.formulas_everywhere, None),
}
#: What the people import (its own check step) says of a file of formulas without values.
FORMULA_MESSAGES = ("no rows", "no data", "empty")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(IMPORTS))
@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files_are_refused_quickly_and_write_nothing(client_as, org, kind, name):
    url, who, model, header = IMPORTS[kind]
    make, message = BAD[name]
    content = make(header)
    client = client_as(who)
    before_rows, before_jobs = _count(model), _count(ImportJob)
    memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    started = time.perf_counter()
    response = client.post(url, data={"file": (io.BytesIO(content), name), "action": "check"},
                           content_type="multipart/form-data",
                           headers={"Accept-Language": "en"})
    elapsed = time.perf_counter() - started
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - memory
    page = response.get_data(as_text=True).lower()
    if message:
        assert message.lower() in page, page[-2000:]
    else:
        assert any(m in page for m in FORMULA_MESSAGES), page[-2000:]
    assert response.status_code in (200, 422)
    assert elapsed < 2 and grown < 100 * 1024 * 1024
    assert _count(model) == before_rows and _count(ImportJob) == before_jobs
    assert client.get(url).status_code == 200  # the server is still up
