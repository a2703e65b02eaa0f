"""A provenance-first knowledge graph of the AI race."""
from kg.errors import DataError, KGError, Problem

__all__ = ["DataError", "KGError", "Problem"]
__version__ = "0.1.0"
