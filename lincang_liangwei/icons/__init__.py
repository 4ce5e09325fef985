"""Icon files, loaded from disk at run time (PyQt6 has no compiled resources)."""
from pathlib import Path

ICON_DIR = Path(__file__).resolve().parent


def icon_path(name: str) -> str:
    """Absolute path of ``icons/<name>.svg``."""
    return str(ICON_DIR / f"{name}.svg")
