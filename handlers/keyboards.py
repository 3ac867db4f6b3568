"""Inline keyboards. Pure: follow keys in, ``InlineKeyboardMarkup`` out.

Button texts are plain text (Telegram does not parse markup in them); callback
data comes from :mod:`handlers.callback_data` and always fits in 64 bytes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.model import FollowKey, FollowKind
from bot.core.telegram_text import clip
from bot.texts import chat as texts
from handlers.callback_data import (
    Confirmation,
    FollowAction,
    encode_confirm,
    encode_follow,
    encode_unfollow,
)

CHECK = "✓"
UNFOLLOW_MARK = "✖"
# Telegram cuts long button texts anyway; shorter ones keep two per row legible.
_MAX_BUTTON_TEXT = 40


def toggle_keyboard(
    options: Sequence[FollowKey], followed: Collection[FollowKey]
) -> InlineKeyboardMarkup:
    """Two per row; a followed option shows ✓ and a tap unfollows it again."""
    buttons: list[InlineKeyboardButton] = []
    for key in options:
        data = encode_follow(FollowAction.TOGGLE, key)
        if data is None:
            continue
        mark = f"{CHECK} " if key in followed else ""
        buttons.append(InlineKeyboardButton(mark + _button_text(key), callback_data=data))
    return InlineKeyboardMarkup(_rows(buttons, 2))


def suggestion_keyboard(options: Sequence[FollowKey]) -> InlineKeyboardMarkup | None:
    """One option per row; a keyword option reads "Volg „…” als trefwoord"."""
    buttons: list[InlineKeyboardButton] = []
    for key in options:
        data = encode_follow(FollowAction.FOLLOW, key)
        if data is None:
            continue
        if key.kind is FollowKind.KEYWORD:
            text = texts.follow_as_keyword(clip(key.label or key.value, _MAX_BUTTON_TEXT))
        else:
            text = texts.described_plain(key)
        buttons.append(InlineKeyboardButton(text, callback_data=data))
    return InlineKeyboardMarkup(_rows(buttons, 1)) if buttons else None


def unfollow_keyboard(follows: Sequence[FollowKey]) -> InlineKeyboardMarkup:
    """A button per follow; a tap unfollows it and the keyboard is redrawn."""
    buttons = [
        InlineKeyboardButton(
            f"{UNFOLLOW_MARK} {_button_text(key)}", callback_data=encode_unfollow(key)
        )
        for key in follows
    ]
    return InlineKeyboardMarkup(_rows(buttons, 2))


def confirm_keyboard(what: Confirmation) -> InlineKeyboardMarkup:
    yes = texts.YES_STOP if what is Confirmation.STOP else texts.YES_UNFOLLOW_ALL
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(yes, callback_data=encode_confirm(what, yes=True)),
                InlineKeyboardButton(
                    texts.NO_CANCEL, callback_data=encode_confirm(what, yes=False)
                ),
            ]
        ]
    )


def _button_text(key: FollowKey) -> str:
    return clip(texts.label_of(key), _MAX_BUTTON_TEXT)


def _rows(buttons: Iterable[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    rows: list[list[InlineKeyboardButton]] = []
    for button in buttons:
        if not rows or len(rows[-1]) >= width:
            rows.append([])
        rows[-1].append(button)
    return rows
