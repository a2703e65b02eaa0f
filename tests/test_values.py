"""Typed values and quote matching, on their own."""
from __future__ import annotations

import pytest

from kg.curate.article import fold, fold_quote
from kg.curate.values import BadValue, parse_value

UNITS = {"GB": "u:GB", "TB/s": "u:TBps", "W": "u:W", "TFLOPS": "u:TFLOPS"}


@pytest.mark.parametrize("kind, raw, lexical, datatype, unit", [
    ("amount", "5.6 million USD", "5600000", "decimal", "USD"),
    ("amount", "500 billion USD", "500000000000", "decimal", "USD"),
    ("amount", "1,250.50 EUR", "1250.5", "decimal", "EUR"),
    ("quantity", "3.2 TB/s", "3.2", "decimal", "TB/s"),
    ("quantity", "700 W", "700", "decimal", "W"),
    ("count", "2,000", "2000", "integer", ""),
    ("count", "80 billion", "80000000000", "integer", ""),
    ("date", "2025-01-24", "2025-01-24", "date", ""),
    ("date", "2024-12", "2024-12", "gYearMonth", ""),
    ("date", "2021", "2021", "gYear", ""),
    ("duration", "2 months", "P2M", "duration", ""),
    ("duration", "3 weeks", "P21D", "duration", ""),
    ("duration", "P8M", "P8M", "duration", ""),
    ("boolean", "true", "true", "boolean", ""),
    ("text", "  Hopper ", "Hopper", "string", ""),
])
def test_values_parse_to_canonical_forms(kind, raw, lexical, datatype, unit):
    value = parse_value(kind, raw, UNITS)
    assert (value.lexical, value.datatype, value.unit) == (lexical, datatype, unit)


@pytest.mark.parametrize("kind, raw, message", [
    ("amount", "$5.6 million", "'$5.6 million' is not an amount; write a number, an optional thousand/million/billion and a currency code, e.g. 5.6 million USD"),
    ("amount", "6 million US", "unknown currency code 'US' (did you mean 'USD'?); known: AED, AUD, CAD, CHF, CNY, EUR, GBP, HKD, INR, JPY, KRW, RUB, SAR, SGD, TWD, USD"),
    ("quantity", "80 Gb", "unknown unit 'Gb' (did you mean 'GB'?); known: GB, TB/s, TFLOPS, W"),
    ("count", "5.5", "'5.5' is not a whole number"),
    ("count", "two thousand", "'two thousand' is not a count; write a whole number such as 2000, 2,000 or 80 billion"),
    ("date", "24 January 2025", "'24 January 2025' is not a date; write YYYY-MM-DD, YYYY-MM or YYYY"),
    ("date", "2025-02-29", "'2025-02-29' is not a valid date: day is out of range for month"),
    ("date", "2025-13", "'2025-13' is not a valid date: month must be in 1..12"),
    ("duration", "a while", "'a while' is not a duration; write e.g. '2 months', '8 months', '3 weeks' or ISO 8601 such as P2M"),
    ("boolean", "yes", "'yes' is not a boolean; write true or false"),
])
def test_bad_values_say_how_to_write_them(kind, raw, message):
    with pytest.raises(BadValue) as caught:
        parse_value(kind, raw, UNITS)
    assert str(caught.value) == message


def test_fold_forgives_typography_and_maps_offsets_back():
    text = "He said \u201cit\u2019s  super\nimpressive\u2026 really\u201d \u2014 twice."
    folded, origin = fold(text)
    assert folded == "He said \"it's super impressive... really\" - twice."
    needle = fold_quote("it's super impressive... really")
    at = folded.find(needle)
    start, end = origin[at], origin[at + len(needle) - 1] + 1
    assert text[start:end] == "it\u2019s  super\nimpressive\u2026 really"


def test_fold_without_changes_keeps_offsets():
    folded, origin = fold("Plain text with one space.")
    assert (folded, origin) == ("Plain text with one space.", None)


def test_only_ascii_digits_and_big_numbers_stay_exact():
    with pytest.raises(BadValue):
        parse_value("date", "\uff12\uff10\uff12\uff15")  # full-width 2025
    with pytest.raises(BadValue):
        parse_value("count", "\u0661\u0662\u0663")  # Arabic-Indic 123
    assert parse_value("amount", "1234567890123456789012345678901 USD", UNITS).lexical == "1234567890123456789012345678901"
    assert parse_value("count", "12345678901234567890123456789 billion").lexical == "12345678901234567890123456789000000000"
