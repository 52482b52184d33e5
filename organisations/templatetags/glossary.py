"""Help in place: a term's definition beside it, from the one glossary (organisations.glossary)."""

from django import template

from ..glossary import BY_KEY
from ..models import Role

register = template.Library()


@register.filter
def role_name(value: str) -> str:
    """A role's plain name ("Senior Information Risk Owner"), never its code ("siro")."""
    return str(Role(value).label) if value in Role.values else value


@register.inclusion_tag("organisations/_term.html")
def explain(key: str, summary: str = "") -> dict[str, str]:
    """A "What is …?" details element with the term's definition (no JavaScript needed)."""
    term = BY_KEY[key]
    return {"summary": summary or f"What is {term.name}?", "definition": term.definition}
