"""axe-core in the browser tests: a scan that fails on serious or critical violations.

axe.min.js comes with the axe-playwright-python package (pyproject's dev extras): nothing is
downloaded when the tests run. Playwright evaluates it in the page without `eval`, so the
portal's CSP (no unsafe-eval) stays as it is.
"""
from axe_playwright_python.sync_playwright import Axe

AXE = Axe()
#: The impacts that fail a test; moderate and minor ones are left to review.
FAILING = {"serious", "critical"}


def serious_violations(page) -> list[str]:
    """axe's serious and critical violations on the page as it is now, one line each."""
    results = AXE.run(page, options={"resultTypes": ["violations"]})
    found = []
    for v in results.response["violations"]:
        if v["impact"] in FAILING:
            targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:4]]
            found.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])}×): {v['help']} — {targets}")
    return found


def assert_accessible(page, where: str = "") -> None:
    """Fail on any serious or critical axe violation of the page as it is now."""
    found = serious_violations(page)
    assert found == [], f"{where or page.url}:\n" + "\n".join(found)
