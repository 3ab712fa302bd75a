"""`mm` as an operator runs it, in a process of its own on a SQLite file, on 2026-11-23."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

MM = shutil.which("mm", path=str(Path(sys.executable).parent)) or "mm"


def runner(database: Path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}

    def run(*args: str, ok: bool = True, input: str = "") -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [MM, "--date", "2026-11-23", *args],
            env=env,
            cwd=database.parent,
            capture_output=True,
            text=True,
            timeout=120,
            input=input,
        )
        assert "Traceback" not in done.stdout + done.stderr
        assert (done.returncode == 0) is ok, done.stdout + done.stderr
        return done

    return run


def runner_on_copy(database: Path, copy: Path):
    """`runner` on `copy`, a copy of `database` made now: a test's own database, copied from
    one made once for the module."""
    shutil.copy(database, copy)
    return runner(copy)
