"""The build step pyproject.toml cannot say: the wheel carries the portal's top-level folders.

templates/, static/ and migrations/ stay at the top of the repository (the layout the README
describes); a wheel copies them into the package, and compiles translations/*.po into .mo files
there, so an installed portal serves both languages without scripts/setup. portal/__init__.py
finds them at the top of a checkout or inside the installed package (ROOT). Metadata lives in
pyproject.toml.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
FOLDERS = ("templates", "static", "migrations")


class BuildWithResources(build_py):
    """build_py, then the folders and the compiled catalogues into build/lib/portal/."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the folders where they are
        package = Path(self.build_lib) / "portal"
        for name in FOLDERS:
            shutil.rmtree(package / name, ignore_errors=True)
            shutil.copytree(HERE / name, package / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        self.compile_catalogues(HERE / "translations", package / "translations")

    @staticmethod
    def compile_catalogues(source: Path, target: Path):
        """Each translations/<locale>/LC_MESSAGES/messages.po as a .mo file (the .po stays out)."""
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        shutil.rmtree(target, ignore_errors=True)
        for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
            mo = target / po.relative_to(source).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as f:
                catalog = read_po(f)
            with mo.open("wb") as f:
                write_mo(f, catalog)


setup(cmdclass={"build_py": BuildWithResources})
