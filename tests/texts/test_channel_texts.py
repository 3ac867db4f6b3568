"""Channel texts: names shown as @name or id, values escaped, the /status section capped."""

from __future__ import annotations

import pytest

from bot.texts import channels as texts


@pytest.mark.parametrize(
    ("name", "shown"),
    [("nieuwsNL", "@nieuwsNL"), ("-1001234567890", "-1001234567890"), ("a<b", "@a&lt;b")],
)
def test_shown(name: str, shown: str) -> None:
    assert texts.shown(name) == shown


def test_a_hostile_title_is_escaped() -> None:
    text = texts.linked("nieuwsNL", "<b>Kanaal</b> & co")
    assert "&lt;b&gt;Kanaal&lt;/b&gt; &amp; co" in text
    assert "<code>/kanaal @nieuwsNL volg oekraine, buitenland</code>" in text


def test_status_section_names_what_it_left_out() -> None:
    rows = [("nieuwsNL", 1234, 3, True), ("oudkanaal", None, 1, False)]
    assert texts.status_channels(rows, total=12) == [
        "📣 <b>Kanalen</b> (12)",
        "• @nieuwsNL: 1234 abonnees, 3 onderwerp(en)",
        "• @oudkanaal: ? abonnees, 1 onderwerp(en), plaatsen kan niet",
        "… en 10 meer",
    ]
