"""The import contracts (pyproject.toml, [tool.importlinter]; docs/architecture.md): models and
the kernel import no module, modules use each other only through their public queries, services,
panels and labels, and no package imports in a circle. Run by hand with `lint-imports`."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    assert lint_imports.exists(), "install the dev dependencies (import-linter)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                                   os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    report = result.stdout + result.stderr
    assert "Contracts:" in report, report  # the contracts were read and checked
    assert result.returncode == 0, report
