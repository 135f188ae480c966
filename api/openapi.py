"""`python -m api.openapi`: write the API's OpenAPI document to docs/openapi.json.

The document is checked in so that a change to the contract shows in review; a test fails
when the served document differs from it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

CHECKED_IN = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document as the app serves it (no server or database needed)."""
    from api.app import create_app

    return create_app().openapi()


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    CHECKED_IN.write_text(render(document()), encoding="utf-8")
    print(f"wrote {CHECKED_IN}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
