import sys
from pathlib import Path

# Make tests/floe_process.py importable from tests/interop and tests/e2e.
sys.path.insert(0, str(Path(__file__).resolve().parent))
