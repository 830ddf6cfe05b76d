"""The wheel ships the grammar, the rule pack and the schema: a plain install runs a check; the
sdist holds everything the tests, the README and the docs use (.ci/run checks both with twine)."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        timeout=600,
    )
    (found,) = out.glob("aimscheck-*.whl")
    return found


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sdist")
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "-q", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (found,) = out.glob("aimscheck-*.tar.gz")
    return found


def sdist_names(sdist: Path) -> set[str]:
    """The sdist's files, without the leading `aimscheck-X.Y.Z/`."""
    with tarfile.open(sdist) as archive:
        return {m.name.split("/", 1)[1] for m in archive.getmembers() if m.isfile()}


@pytest.mark.slow
def test_sdist_holds_everything_the_tests_and_the_readme_use(sdist: Path) -> None:
    names = sdist_names(sdist)
    for top in ("aimscheck", "grammar", "rules", "docs", "fixtures", "tests", "benchmarks"):
        on_disk = {
            str(path.relative_to(ROOT))
            for path in (ROOT / top).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
        }
        assert on_disk <= names, f"missing from the sdist (MANIFEST.in): {sorted(on_disk - names)}"
    for name in ("README.md", "CHANGELOG.md", "RELEASING.md", "setup.cfg", "pyproject.toml"):
        assert name in names
    assert "aimscheck/templates/init/_github/workflows/aimscheck.yml" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


@pytest.mark.slow
def test_wheel_holds_the_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "aimscheck/grammar/aims.lark" in names
    assert "aimscheck/schemas/aims-export.schema.json" in names
    assert "aimscheck/py.typed" in names
    packs = {n for n in names if n.startswith("aimscheck/rules/iso42001/")}
    assert {Path(n).name for n in packs} >= {"clause4.aims", "clause4.tests.yaml"}


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_checks(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], check=True, timeout=900)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # Run from an empty folder so nothing of the source tree can be picked up by accident.
    work = tmp_path / "work"
    work.mkdir()
    check = subprocess.run(
        [
            str(env_dir / "bin" / "aimscheck"),
            "check",
            str(ROOT / "fixtures" / "conforming"),
            "--as-of",
            "2026-11-20",
            "--junit",
            "report.xml",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert (work / "report.xml").read_text().startswith("<?xml")
    where = subprocess.run(
        [str(py), "-c", "import aimscheck.resources as r; print(r.grammar_path())"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "site-packages" in where.stdout
    tests = subprocess.run(
        [str(env_dir / "bin" / "aimscheck"), "test"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr


def test_every_subpackage_is_listed_in_setup_cfg() -> None:
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    listed = set(config["options"]["packages"].split())
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "aimscheck").rglob("__init__.py")
    }
    assert found <= listed, f"add to setup.cfg [options] packages: {sorted(found - listed)}"
