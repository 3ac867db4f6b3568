"""``/kanaal`` arguments as people type them: list, link, manage, and what is refused."""

from __future__ import annotations

import pytest

from handlers.args import ArgError
from handlers.channel_args import ChannelAction, ChannelCommand, channel_name, parse_channel_command
from handlers.channels import Problem, bot_problem

A = ChannelAction


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("", ChannelCommand(A.LIST)),
        ("   ", ChannelCommand(A.LIST)),
        ("@nieuwsNL", ChannelCommand(A.LINK, "nieuwsNL")),
        ("nieuws_nl", ChannelCommand(A.LINK, "nieuws_nl")),
        ("https://t.me/nieuws_nl", ChannelCommand(A.LINK, "nieuws_nl")),
        ("t.me/nieuws_nl/", ChannelCommand(A.LINK, "nieuws_nl")),
        ("@nieuwsNL koppel", ChannelCommand(A.LINK, "nieuwsNL")),
        (
            "@nieuwsNL volg oekraine, buitenland",
            ChannelCommand(A.FOLLOW, "nieuwsNL", "oekraine, buitenland"),
        ),
        ('@nieuwsNL VOLG "Mark Rutte"', ChannelCommand(A.FOLLOW, "nieuwsNL", '"Mark Rutte"')),
        ("@nieuwsNL volg", ChannelCommand(A.FOLLOW, "nieuwsNL")),
        ("@nieuwsNL ontvolg sport", ChannelCommand(A.UNFOLLOW, "nieuwsNL", "sport")),
        ("@nieuwsNL mijn", ChannelCommand(A.MINE, "nieuwsNL")),
        ("@nieuwsNL stil 23:00-07:00", ChannelCommand(A.QUIET, "nieuwsNL", "23:00-07:00")),
        ("@nieuwsNL stil uit", ChannelCommand(A.QUIET, "nieuwsNL", "uit")),
        ("@nieuwsNL stop", ChannelCommand(A.STOP, "nieuwsNL")),
        ("-1001234567890 mijn", ChannelCommand(A.MINE, "-1001234567890")),
        ("@nieuws\u200bNL   mijn", ChannelCommand(A.MINE, "nieuwsNL")),
    ],
)
def test_parse_channel_command(argument: str, expected: ChannelCommand) -> None:
    assert parse_channel_command(argument) == expected


@pytest.mark.parametrize(
    ("argument", "said"),
    [
        ("@abc", "geen kanaalnaam"),  # shorter than Telegram's 5 characters
        ("@1nieuws", "geen kanaalnaam"),  # must start with a letter
        ("@nieuws-nl", "geen kanaalnaam"),
        ("https://example.com/nieuws", "geen kanaalnaam"),
        ("-42", "geen kanaalnaam"),  # a group id, not a channel's
        ("@nieuwsNL abonneer sport", "„abonneer” ken ik niet"),
    ],
)
def test_refused_arguments_explain_in_dutch(argument: str, said: str) -> None:
    with pytest.raises(ArgError) as raised:
        parse_channel_command(argument)
    assert said in str(raised.value)


@pytest.mark.parametrize(
    ("name", "ref"),
    [("nieuwsNL", "@nieuwsNL"), ("-1001234567890", -1001234567890)],
)
def test_chat_ref_is_what_getchat_takes(name: str, ref: str | int) -> None:
    assert ChannelCommand(A.MINE, channel_name(name)).chat_ref == ref


@pytest.mark.parametrize(
    ("status", "can_post", "problem"),
    [
        ("administrator", True, None),
        ("administrator", False, Problem.BOT_CANNOT_POST),
        ("member", False, Problem.BOT_NOT_ADMIN),
        ("left", False, Problem.BOT_NOT_ADMIN),
        ("kicked", False, Problem.BOT_NOT_ADMIN),
    ],
)
def test_bot_problem(status: str, can_post: bool, problem: Problem | None) -> None:
    assert bot_problem(status, can_post) is problem
