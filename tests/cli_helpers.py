"""Where the ``govgraph`` command of this environment is."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

GOVGRAPH = shutil.which("govgraph", path=str(Path(sys.executable).parent)) or "govgraph"
