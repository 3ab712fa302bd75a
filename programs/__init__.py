"""Program settings files. `skane_nordost.toml` is the default program."""

from pathlib import Path

PROGRAMS_DIR = Path(__file__).resolve().parent
DEFAULT_PROGRAM_FILE = PROGRAMS_DIR / "skane_nordost.toml"
