import sys
from pathlib import Path

import pytest

# Make tests/floe_process.py importable from tests/interop and tests/e2e.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from floe_process import FloeServer  # noqa: E402


@pytest.fixture
def broker():
    """A `floe broker` on a free port with its own data directory; it must stop cleanly (exit 0) at the end. Test
    modules that need another broker (a config, SASL) define their own `broker` fixture, which takes precedence."""
    with FloeServer(["broker", "--kafka-listen", "127.0.0.1:0"], ["kafka"]) as s:
        yield s
        assert s.stop() == 0, s.stderr()
