"""mock_canvas: a stateful emulator of the Canvas LMS User Observees API."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
