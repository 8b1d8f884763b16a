"""LongSelect writes the same select as Django's own widget, only faster."""

from __future__ import annotations

from django import forms

from mellanrum.lib.forms import LongSelect

CHOICES = [("", "–"), ("c-1", 'Arkiv & <b>"e-arkiv"</b>'), ("c-2", "Bygglov")]


class Plain(forms.Form):
    other = forms.ChoiceField(label="Slå ihop med", choices=CHOICES)


class Long(forms.Form):
    other = forms.ChoiceField(label="Slå ihop med", choices=CHOICES, widget=LongSelect)


def _options(html: str) -> list[str]:
    """The options, without the whitespace Django's templates put between them."""
    return [part.split("</option>")[0] for part in html.split("<option")[1:]]


def test_long_select_escapes_labels_and_marks_the_empty_choice_like_djangos_select() -> None:
    html = str(Long()["other"])
    assert _options(html) == _options(str(Plain()["other"]))
    assert 'Arkiv &amp; &lt;b&gt;&quot;e-arkiv&quot;&lt;/b&gt;' in html
    assert '<option value="" selected>' in html


def test_long_select_keeps_the_posted_choice_and_the_field_attributes() -> None:
    html = str(Long({"other": "c-2"})["other"])
    assert '<option value="c-2" selected>Bygglov</option>' in html
    assert '<option value="" selected>' not in html
    assert html.startswith('<select name="other" id="id_other" required>')


def test_long_select_marks_an_invalid_field_for_assistive_technology() -> None:
    form = Long({"other": "c-9"})
    assert not form.is_valid()
    assert 'aria-invalid="true"' in str(form["other"])
