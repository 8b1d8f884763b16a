"""The helpers that write long tables and selects in Python write what the template wrote."""

from __future__ import annotations

import random
from decimal import Decimal

from django.template import Context, Template
from django.template.defaultfilters import floatformat
from django.utils import translation
from django.utils.html import escape

from mellanrum.lib.tables import Formatted, options, text

TEMPLATE = Template(
    '{% for value, label in choices %}<option value="{{ value }}"'
    "{% if chosen == value %} selected{% endif %}>{{ label }}</option>{% endfor %}"
)
CHOICES = [("0182", "Nacka kommun"), ("0180", 'Stockholms "stad" & <län>'), ("x'y", "Å'ä")]


def test_options_are_the_template_loop() -> None:
    for chosen in (None, "", "0182", "x'y", "0181"):
        expected = TEMPLATE.render(Context({"choices": CHOICES, "chosen": chosen}))
        assert options(CHOICES, chosen) == expected


def _numbers() -> list[object]:
    rng = random.Random(20)
    numbers: list[object] = [0, 1, -1, 0.5, -0.5, 0.005, 1.005, 2.675, 999.995, 1234567,
                             -1234567.891, 1e-7, 1e16, 123456789012345678901234567890,
                             Decimal("0"), Decimal("-0.00"), Decimal("1.50"), Decimal("1E+3"),
                             Decimal("12345.6789"), Decimal("-0.004"), Decimal("7.0000"),
                             float("inf"), float("nan"), Decimal("NaN"), None, "12,5", "x",
                             True, Decimal("1E+250")]
    for _ in range(400):
        numbers.append(round(rng.uniform(-1e7, 1e7), rng.randint(0, 6)))
        numbers.append(rng.random())
        numbers.append(Decimal(rng.randint(-10**9, 10**9)).scaleb(-rng.randint(0, 4)))
        numbers.append(rng.randint(-10**8, 10**8))
    return numbers


def test_formatted_numbers_are_floatformat() -> None:
    numbers = _numbers()
    for language in ("sv", "en"):
        with translation.override(language):
            for arg in (2, -1, 0, "2g", "0g", "-1", "1g", "2u", "2gu", "g", "x"):
                formatted = Formatted(arg)
                for number in numbers * 2:  # the second time from its memo
                    assert formatted(number) == floatformat(number, arg), (language, arg,
                                                                            number)


def test_text_is_escape() -> None:
    for value in ('Stockholms "stad" & <län>', "Å'ä", 12, None, escape("<b>")):
        assert text(value) == escape(value)
