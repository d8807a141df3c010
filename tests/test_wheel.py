"""The installed portal: a wheel built from the checkout, installed into a fresh venv, upgrades a
database and serves a Chinese browser Chinese, with no scripts/setup and no checkout around."""
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from portal import ROOT

#: What a checkout has that the build does not read (and .mo files, so the build compiles its own).
NOT_BUILT_FROM = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "instance",
                                        "tests", "bench", "__pycache__", ".pytest_cache",
                                        ".hypothesis", "test-results", "*.mo", "messages.pot")

INSTALLED_APP = """
import json, sys
from portal import ROOT, create_app
app = create_app()
page = app.test_client().get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
print(json.dumps({"root": str(ROOT), "status": page.status_code, "text": page.text}))
"""


def run(args, **kwargs):
    """A command that must succeed; its output in the failure message when it does not."""
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.slow
@pytest.mark.sqlite_only  # it upgrades a SQLite file of its own whatever the run's database
def test_the_installed_wheel_serves_chinese_and_upgrades_a_database(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=NOT_BUILT_FROM)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", str(tmp_path / "dist"), str(source)])
    [wheel] = (tmp_path / "dist").glob("portal-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "portal/translations/zh_Hans_CN/LC_MESSAGES/messages.mo" in names
    assert not [n for n in names if n.endswith(".po")]
    assert {"portal/templates/base.html", "portal/migrations/env.py",
            "portal/static/css/portal.css"} <= set(names)

    # A fresh venv that borrows this interpreter's packages (the dependencies) through a .pth
    # line; such a line adds a folder without running the .pth files in it, so the editable
    # install of the checkout stays out and `portal` is the wheel's.
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = str(venv / "bin" / "python")
    site = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip()
    (Path(site) / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
         "-q", str(wheel)])

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "DATABASE_URL", "FLASK_APP") and not k.startswith("PORTAL_")}
    env.update(DATABASE_URL=f"sqlite:///{elsewhere / 'portal.db'}", SECRET_KEY="wheel-test",
               PORTAL_INSTANCE_PATH=str(elsewhere / "instance"))
    run([python, "-m", "flask", "--app", "portal:create_app", "db", "upgrade"],
        cwd=elsewhere, env=env)
    tables = run([python, "-c", "import sqlite3; print(sqlite3.connect('portal.db').execute("
                  "\"select count(*) from sqlite_master where type='table'\").fetchone()[0])"],
                 cwd=elsewhere, env=env)
    assert int(tables) > 50

    served = json.loads(run([python, "-c", INSTALLED_APP], cwd=elsewhere, env=env))
    assert Path(served["root"]) == Path(site).resolve() / "portal"
    assert served["status"] == 200
    assert "<title>登录 · 客户经理管理门户</title>" in served["text"]
