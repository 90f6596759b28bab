"""Customs: dated tax rules, the tax engine, buyer identity and quota, CEB messages and receipts.

Pure package (no database, clock or files) except `store.py`, which takes a Session.
"""

from customs.errors import CustomsError, DocumentMismatch, QuotaExceeded, SchemaInvalid
from customs.messages import build_messages, check_messages
from customs.rules import default_rules
from customs.tax import quote, unit_tax
from customs.types import Basket, TaxQuote

__all__ = [
    "Basket", "CustomsError", "DocumentMismatch", "QuotaExceeded", "SchemaInvalid", "TaxQuote",
    "build_messages", "check_messages", "default_rules", "quote", "unit_tax",
]
