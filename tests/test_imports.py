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


def _role_refusals(path: Path) -> list[str]:
    """`if … has_role(…): abort(…)` (or `return …, 403`) in a view: refusing by role inline."""
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.If):
            continue
        asks_role = any(isinstance(n, ast.Call) and getattr(n.func, "attr", None) == "has_role"
                        for n in ast.walk(node.test))
        refuses = any(isinstance(n, ast.Call) and getattr(n.func, "id", None) == "abort"
                      for stmt in node.body for n in ast.walk(stmt))
        if asks_role and refuses:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_view_refuses_by_role_inline():
    """Who may reach a view is declared (portal.kernel.audience), never checked inside it."""
    views = [p for p in (ROOT / "portal").rglob("*.py")
             if p.name == "views.py" or p.parent.name == "views"]
    assert views
    offenders = [hit for p in views for hit in _role_refusals(p)]
    assert offenders == [], offenders


def test_the_role_refusal_check_can_fail(tmp_path):
    sample = ROOT / "portal" / "_sample_view_for_test.py"
    sample.write_text("def v(user):\n    if not user.has_role('hr'):\n        abort(403)\n")
    try:
        assert _role_refusals(sample) == ["portal/_sample_view_for_test.py:2"]
    finally:
        sample.unlink()
