"""``nieuwsbot tag``: one output line per input line, errors inline."""

from __future__ import annotations

import io
import json

import pytest

from bot.cli.tag import run


def _run_json(lines: list[str]) -> list[dict[str, object]]:
    out = io.StringIO()
    assert run(io.StringIO("\n".join(lines) + "\n"), out, as_json=True) == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            {
                "title": "Biden en Poetin gaan praten over spanning rond Oekraïne",
                "text": "WASHINGTON (ANP/RTR) - De Amerikaanse president gaat met de "
                "Russische president in gesprek.",
            },
            {
                "countries": ["RU", "UA", "US"],
                "sections": ["buitenland"],
                "dateline": {"city": "WASHINGTON", "agencies": ["ANP", "RTR"]},
            },
        ),
        (
            {"title": "Files", "text": "Het was druk op de weg in Nederland.", "link": None},
            {"countries": ["NL"], "sections": ["binnenland"], "dateline": None},
        ),
        (
            {
                "title": "NEC wint",
                "text": "NEC won van PSV.",
                "link": "https://www.gld.nl/sport/1/x",
            },
            {"countries": [], "sections": ["sport"], "dateline": None},
        ),
        (
            {"text": "MOSKOU (ANP/DPA) - Het Kremlin reageert op Teheran."},
            {
                "countries": ["IR", "RU"],
                "sections": ["buitenland"],
                "dateline": {"city": "MOSKOU", "agencies": ["ANP", "DPA"]},
            },
        ),
    ],
)
def test_json_items(item: dict[str, object], expected: dict[str, object]) -> None:
    assert _run_json([json.dumps(item)]) == [expected]


@pytest.mark.parametrize(
    "line",
    [
        "not json",
        "[1, 2]",
        '{"title": 3}',
        '{"title": "", "text": ""}',
        "",
        '{"text": "x", "categories": "a"}',
    ],
)
def test_malformed_line_gives_error_object_and_processing_continues(line: str) -> None:
    good = json.dumps({"title": "Onrust in Iran", "text": ""})
    answers = _run_json([line, good])
    assert len(answers) == 2
    assert set(answers[0]) == {"error"}
    assert answers[1]["countries"] == ["IR"]


def test_plain_text_mode() -> None:
    out = io.StringIO()
    text = "PARIJS (ANP) - Iran waarschuwt Europese landen.\nGeen land hier.\n"
    assert run(io.StringIO(text), out, as_json=False) == 0
    assert out.getvalue().splitlines() == [
        "countries: FR, IR | sections: buitenland | dateline: PARIJS",
        "countries: - | sections: binnenland",
    ]


def test_html_fields_are_read_as_text() -> None:
    """Copy pasted from a feed keeps its markup; the dateline behind <p> still counts."""
    item = {
        "title": "Kyiv &amp; Moskou praten",
        "text": "<p>KYIV (ANP/RTR) - De <b>Oekraïense</b> regering spreekt met Moskou.</p>",
    }
    out = io.StringIO()
    run(io.StringIO(json.dumps(item) + "\n"), out, as_json=True)
    answer = json.loads(out.getvalue())
    assert answer["dateline"] == {"city": "KYIV", "agencies": ["ANP", "RTR"]}
    assert answer["countries"] == ["RU", "UA"]
    assert "buitenland" in answer["sections"]
