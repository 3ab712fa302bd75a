"""`mm` as an operator runs it, on a SQLite file, on 2026-11-23.

A command runs in this process by default (click's CliRunner on the same command group, with
its Swedish errors and exit codes): starting a Python process that imports the program costs
about a second, most of each test here. `own_process=True` runs the `mm` script in a process
of its own, for what happens before the group runs (the Swedish help, the error before the
database exists) and for the databases the tests start from (`mm db upgrade`, `mm demo`); a
command given typed input (a password prompt) always runs in its own process.
"""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner

MM = shutil.which("mm", path=str(Path(sys.executable).parent)) or "mm"
TODAY = "2026-11-23"


def runner(database: Path, *, own_process: bool = False):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}

    def run(*args: str, ok: bool = True, input: str = "") -> subprocess.CompletedProcess[str]:
        argv = ["--date", TODAY, *args]
        # A typed answer goes to a prompt, which a process writes to its terminal (getpass)
        # and CliRunner into the output: read as an operator sees it.
        if own_process or input:
            done = subprocess.run(
                [MM, *argv],
                env=env,
                cwd=database.parent,
                capture_output=True,
                text=True,
                timeout=120,
                input=input,
            )
        else:
            done = _in_this_process(argv, env, database.parent)
        assert "Traceback" not in done.stdout + done.stderr
        assert (done.returncode == 0) is ok, done.stdout + done.stderr
        return done

    return run


def runner_on_copy(database: Path, copy: Path, *, own_process: bool = False):
    """`runner` on `copy`, a copy of `database` made now: a test's own database, copied from
    one made once for the module."""
    shutil.copy(database, copy)
    return runner(copy, own_process=own_process)


def _in_this_process(
    argv: list[str], env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    from cli.main import cli

    with _swedish_in(cwd):
        # catch_exceptions=False: what the group lets through fails the test with its trace.
        result = CliRunner().invoke(cli, argv, env=env, prog_name="mm", catch_exceptions=False)
    return subprocess.CompletedProcess(
        ["mm", *argv], result.exit_code, result.stdout, result.stderr
    )


@contextmanager
def _swedish_in(cwd: Path) -> Iterator[None]:
    """As `cli.main.main` sets up a run (click's own texts in Swedish), in `cwd`; this
    process's language, gettext domain and directory as they were afterwards."""
    from cli.main import speak_swedish

    language, domain, directory = os.environ.get("LANGUAGE"), gettext.textdomain(), os.getcwd()
    speak_swedish()
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(directory)
        gettext.textdomain(domain)
        if language is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = language
