"""The official validators of ../shared/standards (next to the repository's root; CI has it): imported from there,
never copied. A test that needs one and does not find the folder fails with one line saying where it looked."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
# Where to look, first found wins: TIGRE_STANDARDS_DIR; a `shared/standards` beside the repository or beside one
# of its parents (a clone anywhere under the workplace); the workplace's own copy (/work/shared/standards).
_CANDIDATES = [
    *([Path(os.environ["TIGRE_STANDARDS_DIR"])] if os.environ.get("TIGRE_STANDARDS_DIR") else []),
    *(parent / "shared" / "standards" for parent in REPOSITORY.parents),
    Path("/work/shared/standards"),
]
STANDARDS = next(
    (c.resolve() for c in _CANDIDATES if c.is_dir()), (REPOSITORY / ".." / "shared" / "standards").resolve()
)


def validator(module: str) -> ModuleType:
    """``validate_frcp``, ``validate_e2b`` or ``validate_fhir`` from the standards folder."""
    if not (STANDARDS / f"{module}.py").is_file():
        pytest.fail(
            f"Validators not found: {STANDARDS}/{module}.py (the shared/standards folder next to the repository, "
            "or set TIGRE_STANDARDS_DIR)",
            pytrace=False,
        )
    if str(STANDARDS) not in sys.path:
        sys.path.insert(0, str(STANDARDS))
    return importlib.import_module(module)


def validate_frcp(xml: bytes):  # type: ignore[no-untyped-def]
    return validator("validate_frcp").validate_frcp(xml)


def validate_e2b(xml: bytes):  # type: ignore[no-untyped-def]
    return validator("validate_e2b").validate_e2b(xml)


def validate_fhir(bundle: dict):  # type: ignore[no-untyped-def,type-arg]
    return validator("validate_fhir").validate_fhir(bundle)
