from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def shared_dir() -> Path:
    """The team's shared research and corpus, when present next to the checkout."""
    if not SHARED.is_dir():
        pytest.skip("the shared corpus is not available next to this checkout")
    return SHARED


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/fixtures/*.fixed.yaml from the current fixes instead of comparing",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture(autouse=True, scope="session")
def private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The tests (and the katiblint processes they start) keep derived data out of the user's cache."""
    old = os.environ.get("KATIBLINT_CACHE_DIR")
    os.environ["KATIBLINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("katiblint-cache"))
    yield
    if old is None:
        os.environ.pop("KATIBLINT_CACHE_DIR", None)
    else:
        os.environ["KATIBLINT_CACHE_DIR"] = old
