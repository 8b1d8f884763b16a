"""Parts of the base template that the shared page cache treats apart (core/page_cache.py)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from mellanrum.core import page_cache

register = template.Library()


@register.simple_tag(takes_context=True)
def account_menu(context: template.Context) -> SafeString:
    """The header's account menu and language switch (``core/_account.html``): who is logged
    in. In a page kept for every viewer of a kind (``cached_page(shared=…)``) a placeholder,
    which each response replaces with its own viewer's menu."""
    if page_cache.sharing():
        return mark_safe(page_cache.ACCOUNT)  # noqa: S308 - a constant
    assert context.template is not None
    return mark_safe(  # noqa: S308 - rendered by the template engine, which escapes
        context.template.engine.get_template("core/_account.html").render(context))
