"""Typed claim values, parsed from the short forms curators type.

=========  ===========================  ==========================================
kind       written as                   becomes
=========  ===========================  ==========================================
entity     ``nvidia-h800``              the entity's IRI
text       ``Hopper``                   xsd:string
count      ``2000``, ``2,000``,         xsd:integer
           ``80 billion``
date       ``2025-01-24``, ``2024-12``,  xsd:date, xsd:gYearMonth, xsd:gYear
           ``2021``
amount     ``5.6 million USD``          schema:MonetaryAmount (decimal + ISO 4217)
quantity   ``3.2 TB/s``, ``700 W``      schema:QuantitativeValue (decimal + unit)
duration   ``2 months``, ``P8M``        xsd:duration
boolean    ``true``, ``false``          xsd:boolean
=========  ===========================  ==========================================
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Context, Decimal, Inexact, InvalidOperation

from kg.errors import did_you_mean

CURRENCIES = frozenset("USD EUR CNY JPY GBP AED KRW INR TWD HKD CHF CAD AUD SGD SAR RUB".split())
_MULTIPLIERS = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_NUMBER = r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s+(?P<mult>thousand|million|billion|trillion))?"
_AMOUNT = re.compile(rf"^{_NUMBER}\s+(?P<unit>\S+)$", re.ASCII)
_COUNT = re.compile(rf"^{_NUMBER}$", re.ASCII)
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$", re.ASCII)
_ISO_DURATION = re.compile(r"^P(?=\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$", re.ASCII)
_WORD_DURATION = re.compile(r"^(\d+)\s+(day|week|month|year)s?$", re.ASCII)


class BadValue(ValueError):
    """A value that does not fit its kind; the message says how to write it."""


@dataclass(frozen=True, slots=True)
class Value:
    kind: str
    lexical: str  # canonical: entity id, text, integer, date, decimal, duration
    datatype: str = ""  # xsd local name for literals
    unit: str = ""  # currency code or unit notation

    @property
    def key(self) -> str:
        """Equal keys mean equal values; used for ids and for conflicts."""
        return f"{self.kind}|{self.lexical}|{self.unit}"

    def display(self) -> str:
        if self.kind in ("amount", "quantity"):
            return f"{_group(self.lexical)} {self.unit}"
        if self.kind == "count":
            return _group(self.lexical)
        return self.lexical


def _group(number: str) -> str:
    whole, _, frac = number.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    grouped = f"{int(whole):,}"
    return sign + grouped + (f".{frac}" if frac else "")


MAX_DIGITS = 200
_EXACT = Context(prec=MAX_DIGITS, traps=[Inexact, InvalidOperation])


def _check_digits(number: str) -> None:
    """Refuse a number too long to keep exactly: decimal arithmetic here keeps
    MAX_DIGITS digits, and Python will not turn an int of more than 4,300
    digits into text."""
    digits = sum(c.isdigit() for c in number.lstrip("0,."))
    if digits > MAX_DIGITS:
        raise BadValue(f"the number has {digits} digits; the graph keeps at most {MAX_DIGITS}")


def _number(match: re.Match) -> Decimal:
    _check_digits(match.group("number"))
    number = Decimal(match.group("number").replace(",", ""))
    mult = match.group("mult")
    try:
        return _EXACT.multiply(number, _MULTIPLIERS[mult]) if mult else number
    except (Inexact, InvalidOperation):
        raise BadValue(f"{match.group(0)!r} has more digits than the graph keeps exactly") from None


def canonical_decimal(number: Decimal) -> str:
    text = format(_EXACT.normalize(number), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def parse_value(kind: str, raw: str, units: dict[str, str] | None = None) -> Value:
    """Parse ``raw`` as a value of ``kind``; raise BadValue with a hint."""
    text = raw.strip()
    if not text:
        raise BadValue("the value is empty")
    if kind in ("entity", "text"):
        return Value(kind, text, "string" if kind == "text" else "")
    if kind == "boolean":
        if text in ("true", "false"):
            return Value(kind, text, "boolean")
        raise BadValue(f"{text!r} is not a boolean; write true or false")
    if kind == "count":
        match = _COUNT.match(text)
        if not match:
            raise BadValue(f"{text!r} is not a count; write a whole number such as 2000, 2,000 or 80 billion")
        number = _number(match)
        if number != number.to_integral_value():
            raise BadValue(f"{text!r} is not a whole number")
        return Value(kind, str(int(number)), "integer")
    if kind == "date":
        return _parse_date(text)
    if kind == "duration":
        return _parse_duration(text)
    if kind in ("amount", "quantity"):
        match = _AMOUNT.match(text)
        example = "5.6 million USD" if kind == "amount" else "3.2 TB/s"
        if not match:
            raise BadValue(f"{text!r} is not {'an amount' if kind == 'amount' else 'a quantity'}; write a number, an optional thousand/million/billion and a {'currency code' if kind == 'amount' else 'unit'}, e.g. {example}")
        unit = match.group("unit")
        allowed = CURRENCIES if kind == "amount" else frozenset(units or ())
        if unit not in allowed:
            what = "currency code" if kind == "amount" else "unit"
            raise BadValue(f"unknown {what} {unit!r}{did_you_mean(unit, allowed)}; known: {', '.join(sorted(allowed))}")
        try:
            number = _number(match)
        except InvalidOperation:  # pragma: no cover - the regex admits only digits
            raise BadValue(f"{text!r} has an invalid number") from None
        return Value(kind, canonical_decimal(number), "decimal", unit)
    raise BadValue(f"unknown value kind {kind!r}")  # pragma: no cover - checked in vocab


def _parse_date(text: str) -> Value:
    match = _DATE.match(text)
    if not match:
        raise BadValue(f"{text!r} is not a date; write YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = match.groups()
    try:
        if day:
            dt.date(int(year), int(month), int(day))
            return Value("date", text, "date")
        if month:
            dt.date(int(year), int(month), 1)
            return Value("date", text, "gYearMonth")
    except ValueError as exc:
        raise BadValue(f"{text!r} is not a valid date: {exc}") from None
    return Value("date", text, "gYear")


def _parse_duration(text: str) -> Value:
    match = _WORD_DURATION.match(text) or _ISO_DURATION.match(text)
    if not match:
        raise BadValue(f"{text!r} is not a duration; write e.g. '2 months', '8 months', '3 weeks' or ISO 8601 such as P2M")
    for number in match.groups():
        if number and number.isdigit():
            _check_digits(number)
    if match.re is _ISO_DURATION:
        return Value("duration", text, "duration")
    count, unit = int(match.group(1)), match.group(2)
    lexical = {"day": f"P{count}D", "week": f"P{count * 7}D", "month": f"P{count}M", "year": f"P{count}Y"}[unit]
    return Value("duration", lexical, "duration")
