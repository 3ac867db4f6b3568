"""Dutch words for what can be followed: the kinds, and the question for an ambiguous word."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.core.model import FollowKey, FollowKind

KIND_NAMES: Mapping[FollowKind, str] = {
    FollowKind.SECTION: "rubriek",
    FollowKind.COUNTRY: "land",
    FollowKind.KEYWORD: "trefwoord",
}
# The label of the ``belangrijk`` follow (bot.core.important).
IMPORTANT_LABEL = "Belangrijk nieuws"
# What users may type for it after /volg (folded).
IMPORTANT_WORDS = ("belangrijk", "belangrijk nieuws", "groot nieuws")
# Headings of a list of follows per kind (/mijn, /status).
KIND_HEADINGS: Mapping[FollowKind, str] = {
    FollowKind.SECTION: "📰 Rubrieken",
    FollowKind.COUNTRY: "🌍 Landen",
    FollowKind.KEYWORD: "🔎 Trefwoorden",
}


def ambiguous_question(term: str, options: Sequence[FollowKey]) -> str:
    """``Wat bedoel je met „georgia”: Georgië (land) of het trefwoord „georgia”?`` (plain)."""
    labels = [_option_label(key) for key in options]
    return f"Wat bedoel je met „{term}”: {', '.join(labels[:-1])} of {labels[-1]}?"


def _option_label(key: FollowKey) -> str:
    if key.kind is FollowKind.KEYWORD:
        return f"het trefwoord „{key.label}”"
    return f"{key.label} ({KIND_NAMES[key.kind]})"
