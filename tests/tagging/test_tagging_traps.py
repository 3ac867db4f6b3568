"""Hand-written sentences of Dutch news with the countries they refer to.

Each row is a trap a naive alias matcher falls into, or a form a good tagger
must still catch. Expected sets follow tests/fixtures/tagging/LABELLING.md.
"""

from __future__ import annotations

import pytest

from bot.core.model import Dateline
from bot.tagging import tag

TRAPS = [
    # person names that are country words
    ("Frans Timmermans stapt op als leider van GroenLinks-PvdA.", set()),
    ("Eurocommissaris Frans Timmermans sprak met de Franse president.", {"FR"}),
    ("Zanger Frans Bauer geeft een concert in Ahoy.", set()),
    ("Acteur Denzel Washington krijgt een prijs.", set()),
    ("Michael Jordan verkoopt zijn sneakers.", set()),
    ("Georgia Meloni ontmoet Rutte.", set()),
    # surnames that are also a country adjective or inhabitant noun
    ("De Australische premier Anthony Albanese bezoekt Japan.", {"AU", "JP"}),
    ("Premier Anthony Albanese kondigt verkiezingen aan.", set()),
    ("Premier Albanese kondigt verkiezingen aan.", set()),
    ("VN-rapporteur Francesca Albanese bekritiseert Israël.", {"IL"}),
    ("Albanese zei dat de Verenigde Staten een bondgenoot blijven.", {"US"}),
    ("Met Anthony Albanese sprak hij over handel.", set()),
    ("De Albanese premier Edi Rama komt naar Brussel.", {"AL"}),
    ("Albanese migranten worden opgevangen in Italië.", {"AL", "IT"}),
    ("Twee Albanese mannen zijn opgepakt.", {"AL"}),
    ("Spits Youri Fransen scoorde twee keer.", set()),
    ("Fransen en Duitsers zijn het oneens.", {"FR", "DE"}),
    # languages
    ("Het interview werd in het Engels afgenomen.", set()),
    ("Hij spreekt vloeiend Duits en Frans.", set()),
    ("De film is Spaans gesproken en Nederlands ondertiteld.", set()),
    ("Een Frans bedrijf neemt een Duits concern over.", {"FR", "DE"}),
    # food and idioms
    ("Het ijs zag eruit als Zwitserse gatenkaas.", set()),
    ("De ploeg speelde met de Franse slag.", set()),
    ("Beleggen in crypto is Russische roulette.", set()),
    ("De Spaanse griep eiste in 1918 miljoenen levens.", set()),
    ("Turks fruit is een film van Paul Verhoeven.", set()),
    ("Het Chinees restaurant op de hoek sluit.", set()),
    ("Ze at chili con carne met Griekse yoghurt.", set()),
    ("Het werd me Spaans benauwd.", set()),
    # diseases, animals and plants named after a country
    ("De Mexicaanse griep heeft ook Nederland bereikt.", {"NL"}),
    ("In 2009 brak de Mexicaanse griep uit in Mexico.", {"MX"}),
    ("De Russische griep van 1889 was een pandemie.", set()),
    ("Zwangeren moeten oppassen voor Duitse mazelen.", set()),
    ("De Britse variant rukt op in Nederland.", {"NL"}),
    ("Gemeente bestrijdt de Japanse duizendknoop.", set()),
    ("Canadese ganzen en Egyptische ganzen in het park.", set()),
    ("De Amerikaanse rivierkreeft en de Chinese wolhandkrab rukken op.", set()),
    ("Jersey-koeien geven vette melk.", set()),
    # lower-case words that are also names
    ("De polen smelten door de opwarming.", set()),
    ("Polen stuurt troepen naar de grens.", {"PL"}),
    ("Een luik in de vloer; een chili van het huis.", set()),
    # continents and regions built on a country word
    ("In Zuid-Amerika en Latijns-Amerika groeit de economie.", set()),
    ("Zware regen in Noord-Holland en Zuid-Holland.", set()),
    ("De Europese Commissie en de NAVO overleggen in Brussel.", set()),
    ("Holland Casino opent een vestiging.", set()),
    # multi-word and compound names
    ("Noord-Korea test een raket; Zuid-Korea reageert.", {"KP", "KR"}),
    ("Een bezoek aan Papoea-Nieuw-Guinea en Guinee-Bissau.", {"PG", "GW"}),
    ("Ook Saudi Arabië en de Verenigde Arabische Emiraten doen mee.", {"SA", "AE"}),
    ("Pro-Russische rebellen in Oost-Oekraïne.", {"RU", "UA"}),
    ("De Democratische Republiek Congo en Congo-Brazzaville.", {"CD", "CG"}),
    ("Türkiye heet voortaan officieel zo, zegt Turkije.", {"TR"}),
    ("Het Nederlands elftal speelt tegen Griekenland.", {"NL", "GR"}),
    # adjectives, inhabitants, capitals, metonyms
    ("De Oekraïense president sprak met Oekraïners in Kyiv.", {"UA"}),
    ("Het Kremlin en het Witte Huis zwijgen.", {"RU", "US"}),
    ("Downing Street ontkent; het Élysée bevestigt.", {"GB", "FR"}),
    ("De Italiaan Pietro Sighel viel.", {"IT"}),
    ("Israëliërs en Palestijnen demonstreren in Gaza.", {"IL", "PS"}),
    ("Een Britse minister bezoekt Teheran en Bagdad.", {"GB", "IR", "IQ"}),
    ("Amerikaanse staat Georgia: in Atlanta wordt geteld.", {"US"}),
    ("Ruslands economie en Irans olie.", {"RU", "IR"}),
    ("Demonstraties in Hongkong, Taiwan en Kosovo.", {"HK", "TW", "XK"}),
    # small territories by their name; the cycling jersey is lower case
    ("Het Kanaaleiland Jersey ligt voor de Franse kust.", {"JE", "FR"}),
    ("De Kanaaleilanden Jersey en Guernsey zijn geen lid van de EU.", {"JE", "GG"}),
    ("Jersey is een Brits kroonbezit.", {"JE", "GB"}),
    ("Pogacar draagt de gele jersey; de groene jersey is voor Milan.", set()),
    ("Jersey City ligt aan de Hudson.", {"US"}),
    ("In New Jersey wordt gestemd.", {"US"}),
    # common misspellings of adjectives
    ("De Oekraïnse president sprak in Brussel.", {"UA"}),
    ("Oekrainse drones vielen een raffinaderij aan.", {"UA"}),
    ("De Filippijnse kustwacht en de Venezuelaanse marine.", {"PH", "VE"}),
    ("Een Marokaanse vrachtwagen en een Columbiaanse tanker.", {"MA", "CO"}),
    ("Verkiezingen op Curaçao en Aruba; Groenland wil onafhankelijkheid.", {"CW", "AW", "GL"}),
    ("De Tweede Kamer debatteert over de begroting.", {"NL"}),
    ("Amnesty Nederland en Statiegeld Nederland reageren.", set()),
    ("In Nederland is het koud.", {"NL"}),
    ("Wit-Rusland, ook Belarus genoemd, sluit de grens.", {"BY"}),
    ("Ivoorkust en Tsjechië spelen gelijk.", {"CI", "CZ"}),
    ("Europees onderzoek naar Afrikaanse olifanten.", set()),
    # club and company names built on a place are organisations
    ("Ajax speelt tegen Real Madrid en Manchester United.", set()),
    ("Qatar Airways en Dubai Duty Free groeien.", set()),
    # numbers and apposition before inhabitant nouns are no names
    ("Tien Nederlanders omgekomen bij busongeluk in Italië.", {"NL", "IT"}),
    ("De Rus Daniil Medvedev wint van een Duitser.", {"RU", "DE"}),
    ("Premier Schoof sprak in Den Haag met de Belgische premier.", {"NL", "BE"}),
]


@pytest.mark.parametrize(("sentence", "expected"), TRAPS, ids=[row[0][:40] for row in TRAPS])
def test_trap_sentence(sentence: str, expected: set[str]) -> None:
    assert set(tag("", sentence).countries) == expected


@pytest.mark.parametrize(
    ("city", "expected"),
    [
        ("WASHINGTON", {"US"}),
        ("DEN HAAG", {"NL"}),
        ("AMSTERDAM", {"NL"}),
        ("MOSKOU", {"RU"}),
        ("BRUSSEL", {"BE"}),
        ("KIEV", {"UA"}),
        ("GOTHAM CITY", set()),
    ],
)
def test_dateline_city_counts(city: str, expected: set[str]) -> None:
    tags = tag("", "Een bericht zonder land.", dateline=Dateline(city, ("ANP",)))
    assert set(tags.countries) == expected


def test_title_counts_like_text() -> None:
    assert tag("Onrust in Iran", "Demonstranten gaan de straat op.").countries == ("IR",)


def test_countries_are_sorted_iso_codes() -> None:
    tags = tag("", "Zweden, Oostenrijk en Argentinië.")
    assert tags.countries == ("AR", "AT", "SE")
