"""Input rules shared by every subgraph: GitLab-style slugs, plain names, keywords, searches."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode

NAME_MAX_LENGTH = 99
SLUG_MAX_LENGTH = 99
DESCRIPTION_MAX_LENGTH = 500
# GitLab's rules for namespace and project paths, as Renku's API specification states them.
SLUG_PATTERN = re.compile(r"^(?!.*\.git$|.*\.atom$|.*[\-._][\-._].*)[a-z0-9][a-z0-9\-_.]*$")


def check_slug(slug: str, field: str = "slug") -> str:
    """The slug if it follows GitLab's path rules; a BAD_USER_INPUT error naming `field` if not."""
    if not 1 <= len(slug) <= SLUG_MAX_LENGTH or not SLUG_PATTERN.match(slug):
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"`{field}` {slug!r} is not valid: use 1 to {SLUG_MAX_LENGTH} lowercase letters, "
            "digits, `-`, `_` or `.`, starting with a letter or digit, without two of `-_.` in "
            "a row and not ending in `.git` or `.atom`.",
            field=field,
        )
    return slug


def slug_from_name(name: str) -> str:
    """A slug following GitLab's path rules, derived from a free-form name."""
    ascii_name = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9\-_.]+", "-", ascii_name)
    slug = re.sub(r"([\-_.])[\-_.]+", r"\1", slug)
    slug = slug.strip("-_.")[:SLUG_MAX_LENGTH].rstrip("-_.")
    while slug.endswith((".git", ".atom")):
        slug = slug.rsplit(".", 1)[0].rstrip("-_.")
    return slug


def check_name(name: str) -> str:
    """The stripped, plain name if it is 1 to 99 characters long; a BAD_USER_INPUT error if not."""
    name = check_plain_text(name, "name").strip()
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"`name` must be 1 to {NAME_MAX_LENGTH} characters long, got {len(name)}.",
            field="name",
        )
    return name


def check_max_length(value: str | None, field: str, maximum: int, advice: str) -> str | None:
    """The value if it has at most `maximum` characters; a BAD_USER_INPUT error with `advice`."""
    if value is not None and len(value) > maximum:
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"`{field}` must be at most {maximum} characters, got {len(value)}; {advice}.",
            field=field,
        )
    return value


SEARCH_MAX_LENGTH = 200
KEYWORD_MAX_LENGTH = 99
# Renku's API bounds each keyword (1 to 99 characters) but not their number; a project's keywords
# are a short list to search and filter by, so we keep at most this many.
KEYWORDS_MAX_COUNT = 50
# Line, paragraph and zero-width separators and the format characters (bidirectional overrides,
# zero-width joiners) have no place in a name: they hide or reorder what a reader sees.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def check_plain_text(value: str, field: str) -> str:
    """`value` in Unicode NFC; a BAD_USER_INPUT error if it holds control or format characters."""
    value = unicodedata.normalize("NFC", value)
    refused = next((c for c in value if unicodedata.category(c) in _REFUSED_CATEGORIES), None)
    if refused is not None:
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"`{field}` holds the invisible or control character U+{ord(refused):04X}; remove it.",
            field=field,
        )
    return value


def check_search(text: str | None, field: str = "search") -> str | None:
    """The search text if at most 200 characters long; a BAD_USER_INPUT error if longer."""
    return check_max_length(text, field, SEARCH_MAX_LENGTH, "search for a shorter text")


def check_keywords(keywords: Sequence[str]) -> tuple[str, ...]:
    """Stripped, deduplicated plain keywords of 1 to 99 characters, at most 50 of them."""
    cleaned: list[str] = []
    for keyword in (check_plain_text(k, "keywords").strip() for k in keywords):
        if not 1 <= len(keyword) <= KEYWORD_MAX_LENGTH:
            raise DomainError(
                ErrorCode.BAD_USER_INPUT,
                f"Each of `keywords` must be 1 to {KEYWORD_MAX_LENGTH} characters long; "
                f"{keyword[: KEYWORD_MAX_LENGTH + 1]!r} is not.",
                field="keywords",
            )
        if keyword not in cleaned:
            cleaned.append(keyword)
    if len(cleaned) > KEYWORDS_MAX_COUNT:
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"A project has at most {KEYWORDS_MAX_COUNT} keywords, got {len(cleaned)}.",
            field="keywords",
        )
    return tuple(cleaned)
