"""A chat's /voorbeeld choice decides the link preview of its pushes; the operator's
``push.link_previews`` stays the default for chats that never chose (issue 15, item 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from tests.app_harness import NOW, ManualClock, RunningApp
from tests.e2e.test_push_e2e import follow, publish_ukraine, start_with_baseline

CHOSE, NEVER_CHOSE = 3001, 3002


def preview_shown(app: RunningApp, chat_id: int) -> bool:
    pushes = [m for m in app.fake.sent_messages(chat_id) if m["text"] in app.pushes(chat_id)]
    assert len(pushes) == 1
    options = pushes[0]["link_preview_options"] or {}
    return not options.get("is_disabled", False)


@pytest.mark.parametrize(("operator_default", "choice"), [(False, "aan"), (True, "uit")])
async def test_the_chats_choice_wins_over_the_operator_default(
    tmp_path: Path,
    fake_telegram: FakeTelegram,
    feed_server: FeedServer,
    operator_default: bool,
    choice: str,
) -> None:
    clock = ManualClock(NOW)
    async with await start_with_baseline(
        tmp_path, fake_telegram, feed_server, clock, link_previews=operator_default
    ) as app:
        for chat_id in (CHOSE, NEVER_CHOSE):
            await follow(fake_telegram, chat_id, "oekraine")
        await fake_telegram.send_and_wait(CHOSE, f"/voorbeeld {choice}")
        await app.cycle()
        publish_ukraine(feed_server, clock)
        await app.cycle()
        assert preview_shown(app, CHOSE) is (choice == "aan")
        assert preview_shown(app, NEVER_CHOSE) is operator_default
