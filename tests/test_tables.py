"""The helpers that write long tables and selects in Python write what the template wrote."""

from __future__ import annotations

from django.template import Context, Template

from mellanrum.lib.tables import options

TEMPLATE = Template(
    '{% for value, label in choices %}<option value="{{ value }}"'
    "{% if chosen == value %} selected{% endif %}>{{ label }}</option>{% endfor %}"
)
CHOICES = [("0182", "Nacka kommun"), ("0180", 'Stockholms "stad" & <län>'), ("x'y", "Å'ä")]


def test_options_are_the_template_loop() -> None:
    for chosen in (None, "", "0182", "x'y", "0181"):
        expected = TEMPLATE.render(Context({"choices": CHOICES, "chosen": chosen}))
        assert options(CHOICES, chosen) == expected
