"""Secrets handed over as files, the way systemd does (LoadCredential= in deploy/systemd):
each file in $CREDENTIALS_DIRECTORY named like an environment variable (SECRET_KEY,
DATABASE_URL, DATABASE_OWNER_URL, MM_DATA_KEY, SLACK_BOT_TOKEN, ...) becomes that variable
for this process, unless the environment sets it already. The secrets then stay out of unit
files, `systemctl show` and the journal, and only the service's own processes can read them.
"""

from __future__ import annotations

import os
import re
from collections.abc import MutableMapping
from pathlib import Path

VARIABLE = re.compile(r"^[A-Z][A-Z0-9_]*$")
# `LoadCredential=mm:/etc/mojlighetsmodellen/credentials` loads a whole folder, each file
# named mm_<its file name>.
FOLDER_PREFIX = "mm_"


def load(environ: MutableMapping[str, str] | None = None) -> list[str]:
    """Sets the variables from the credential files; returns the names it set."""
    environ = os.environ if environ is None else environ
    directory = environ.get("CREDENTIALS_DIRECTORY", "").strip()
    if not directory or not Path(directory).is_dir():
        return []
    found = []
    for path in sorted(Path(directory).iterdir()):
        name = path.name.removeprefix(FOLDER_PREFIX)
        if VARIABLE.match(name) and name not in environ and path.is_file():
            environ[name] = path.read_text(encoding="utf-8").strip()
            found.append(name)
    return found
