"""/volg, /ontvolg and /mijn."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Chat, Update
from telegram.ext import ContextTypes

from bot.core.model import FollowKey
from bot.core.text import fold
from bot.runtime.services import services
from bot.store import MAX_FOLLOWS, FollowLimitError, Store
from bot.texts import chat as texts
from handlers import topics
from handlers.args import ArgError, Term, command_argument, split_terms
from handlers.callback_data import Confirmation
from handlers.guards import may_change, sealed_keyboard
from handlers.keyboards import (
    confirm_keyboard,
    suggestion_keyboard,
    toggle_keyboard,
    unfollow_keyboard,
)
from handlers.replies import message_text, reply
from handlers.settings import updates_word

# One /volg may name many things, but each unclear one gets its own message
# with buttons; past this many the rest are only listed as not understood.
MAX_SUGGESTION_MESSAGES = 3
_ALL = frozenset({"alles", "alle", "allemaal", "all"})


@dataclass(frozen=True, slots=True)
class Target:
    """Whose follows a command changes: the chat it was typed in, or a linked channel.

    ``buttons`` is False when the answer goes to another chat than the target
    (a channel managed from a private chat): buttons act on the chat they are
    pressed in, so unclear terms are then answered in text only.
    """

    chat_id: int
    chat_type: str
    buttons: bool = True
    # A first line naming the target when the answer goes to another chat.
    heading: str = ""


@dataclass(frozen=True, slots=True)
class _Request:
    """A follow-changing command that may run here, with its argument parsed."""

    chat: Chat
    store: Store
    argument: str
    terms: list[Term]


async def _follow_request(update: Update, context: ContextTypes.DEFAULT_TYPE) -> _Request | None:
    """The chat, store and terms of /volg or /ontvolg; None when already answered."""
    chat = update.effective_chat
    if chat is None or not await may_change(update, context):
        return None
    try:
        argument = command_argument(message_text(update))
        terms = split_terms(argument)
    except ArgError as error:
        await reply(update, str(error))
        return None
    return _Request(chat, services(context).store, argument, terms)


async def follow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    request = await _follow_request(update, context)
    if request is None:
        return
    chat, store, argument, terms = request.chat, request.store, request.argument, request.terms
    if not argument:
        record = store.get_chat(chat.id)
        followed = record.follows if record is not None else ()
        keyboard = sealed_keyboard(context, chat.id, toggle_keyboard(topics.popular(), followed))
        await reply(update, texts.FOLLOW_PICK, keyboard)
        return
    await follow_terms(update, context, Target(chat.id, chat.type), terms)


async def follow_terms(
    update: Update, context: ContextTypes.DEFAULT_TYPE, target: Target, terms: list[Term]
) -> None:
    """Follow ``terms`` in ``target`` and answer in the update's chat."""
    store = services(context).store
    if not terms:
        await reply(update, texts.FOLLOW_NOTHING)
        return
    # More terms than follow slots can never all succeed; the cap also bounds work.
    outcomes = [topics.interpret(term) for term in terms[:MAX_FOLLOWS]]
    keys = [outcome.key for outcome in outcomes if isinstance(outcome, topics.Resolved)]
    lines: list[str] = []
    if keys:
        lines.extend(await _add(store, target, keys))
        rare = [o.key for o in outcomes if isinstance(o, topics.Resolved) and o.rare]
        if rare:
            names = ", ".join(map(texts.described, dict.fromkeys(rare)))
            lines.append(texts.FOLLOW_RARE.format(names=names))
    unclear = [outcome for outcome in outcomes if not isinstance(outcome, topics.Resolved)]
    with_buttons = unclear[:MAX_SUGGESTION_MESSAGES] if target.buttons else []
    lines.extend(texts.not_understood(outcome.term) for outcome in unclear[len(with_buttons) :])
    if lines:
        await reply(update, "\n".join([target.heading, *lines] if target.heading else lines))
    for outcome in with_buttons:
        if isinstance(outcome, topics.Choice):
            prompt = texts.ask(outcome.question) if outcome.question else None
            await reply(
                update,
                prompt or texts.suggestions(outcome.term),
                sealed_keyboard(context, target.chat_id, suggestion_keyboard(outcome.options)),
            )
        else:
            await reply(update, texts.rejected(outcome.term, outcome.reason))


async def _add(store: Store, target: Target, keys: Sequence[FollowKey]) -> list[str]:
    """Follow ``keys`` as far as the limit allows; the lines that report it."""
    chat_id = target.chat_id
    record = await store.ensure_chat(chat_id, target.chat_type)
    already = [key for key in dict.fromkeys(keys) if key in record.follows]
    wanted = [key for key in dict.fromkeys(keys) if key not in record.follows]
    skipped: list[FollowKey] = []
    try:
        added = await store.add_follows(chat_id, wanted)
    except FollowLimitError as error:
        room = max(0, error.limit - error.current)
        added = await store.add_follows(chat_id, wanted[:room]) if room else []
        skipped = wanted[room:]
    lines: list[str] = []
    if added:
        lines.append(texts.followed(added))
    if already:
        lines.append(texts.already_following(already))
    if skipped:
        if added:
            lines.append(
                texts.follow_limit_partial([texts.label_of(k) for k in skipped], MAX_FOLLOWS)
            )
        else:
            lines.append(texts.follow_limit(MAX_FOLLOWS))
    return lines


async def unfollow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    request = await _follow_request(update, context)
    if request is None:
        return
    chat, store, terms = request.chat, request.store, request.terms
    record = store.get_chat(chat.id)
    follows = record.follows if record is not None else ()
    if not follows:
        await reply(update, texts.NO_FOLLOWS)
        return
    if not terms:
        keyboard = sealed_keyboard(context, chat.id, unfollow_keyboard(follows))
        await reply(update, texts.UNFOLLOW_PICK, keyboard)
        return
    if len(terms) == 1 and not terms[0].quoted and fold(terms[0].text) in _ALL:
        confirm = confirm_keyboard(Confirmation.UNFOLLOW_ALL)
        await reply(update, texts.UNFOLLOW_ALL_CONFIRM, sealed_keyboard(context, chat.id, confirm))
        return
    await unfollow_terms(update, context, chat.id, terms)


async def unfollow_terms(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    terms: list[Term],
    heading: str = "",
) -> None:
    """Stop following ``terms`` in ``chat_id`` and answer in the update's chat
    (under ``heading`` when that is another chat)."""
    store = services(context).store
    record = store.get_chat(chat_id)
    follows = record.follows if record is not None else ()
    doomed: list[FollowKey] = []
    lines: list[str] = []
    for term in terms[:MAX_FOLLOWS]:
        found = topics.find_followed(term, follows)
        if found is None:
            lines.append(texts.not_following(term.text))
        else:
            doomed.append(found)
    removed = await store.remove_follows(chat_id, doomed) if doomed else []
    if removed:
        lines.insert(0, texts.unfollowed(removed))
    await reply(update, "\n".join([heading, *lines] if heading else lines))


async def my_follows(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    await reply(update, follows_summary(context, chat.id))


def follows_summary(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> str:
    """The /mijn text of ``chat_id``: its follows and settings."""
    found = services(context)
    record = found.store.get_chat(chat_id)
    previews = found.config.push.link_previews
    if record is None:
        text = texts.my_follows(
            (),
            quiet=None,
            digest=None,
            previews=previews,
            max_follows=MAX_FOLLOWS,
            updates=updates_word(""),
        )
    else:
        settings = record.settings
        quiet = settings.quiet_hours
        if settings.link_previews is not None:
            previews = settings.link_previews
        text = texts.my_follows(
            record.follows,
            quiet=quiet,
            digest=settings.digest_time,
            previews=previews,
            max_follows=MAX_FOLLOWS,
            updates=updates_word(settings.updates),
        )
    return text
