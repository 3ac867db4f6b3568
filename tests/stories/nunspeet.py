"""One evening in Nunspeet as three outlets report it, and another event in the same town.

A car drove into the crowd at a light parade; NRC, NOS and ND each wrote their
own report (headlines and leads in their style), the third a same-evening
update ("the driver is a woman of 56"). A barn fire in the same town the same
evening is another event. Used by the story delivery tests end to end (feeds,
poll cycles, the fake Bot API) and by the engine tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tests.app_harness import rss_item


@dataclass(frozen=True, slots=True)
class Report:
    outlet: str
    feed_path: str
    guid: str
    title: str
    lead: str
    link: str

    def rss(self, published: datetime) -> str:
        return rss_item(self.guid, self.title, self.lead, published, self.link)


NRC = Report(
    "NRC",
    "/nrc.xml",
    "nrc-lichtjesparade",
    "Auto rijdt in op publiek bij lichtjesparade in Nunspeet, meerdere gewonden",
    "In het Gelderse Nunspeet is zaterdagavond een auto ingereden op publiek dat stond te "
    "kijken naar een lichtjesparade. Daarbij zijn meerdere mensen gewond geraakt, meldt de "
    "politie.",
    "https://www.nrc.nl/nieuws/2026/10/03/auto-rijdt-in-op-publiek-lichtjesparade-nunspeet",
)
NOS = Report(
    "NOS",
    "/nos.xml",
    "nos-2600901",
    "Negen gewonden nadat auto inrijdt op publiek bij lichtjesparade Nunspeet",
    "Bij een lichtjesparade in Nunspeet is een auto ingereden op toeschouwers. Negen mensen "
    "raakten gewond, van wie drie ernstig. De bestuurder is aangehouden.",
    "https://nos.nl/artikel/2600901-negen-gewonden-lichtjesparade-nunspeet",
)
ND = Report(
    "ND",
    "/nd.xml",
    "nd-lichtjesparade-bestuurder",
    "Bestuurder die in Nunspeet op publiek van lichtjesparade inreed is vrouw van 56",
    "De automobilist die zaterdagavond in Nunspeet inreed op het publiek van een "
    "lichtjesparade, is een 56-jarige vrouw uit de gemeente. Negen mensen raakten gewond. De "
    "politie onderzoekt hoe het ongeluk kon gebeuren.",
    "https://www.nd.nl/nieuws/nederland/lichtjesparade-nunspeet-bestuurder-vrouw",
)
AD = Report(
    "AD",
    "/ad.xml",
    "ad-nunspeet-automobiliste",
    "Ooggetuigen lichtjesparade Nunspeet: 'De auto reed zomaar de menigte in'",
    "Ooggetuigen van het ongeluk bij de lichtjesparade in Nunspeet vertellen hoe de auto "
    "zaterdagavond op het publiek inreed. De 56-jarige bestuurster is verhoord; de politie "
    "gaat uit van een ongeluk.",
    "https://www.ad.nl/binnenland/automobiliste-rijdt-in-op-toeschouwers-nunspeet",
)
# Another event in the same town the same evening.
FIRE = Report(
    "NOS",
    "/nos.xml",
    "nos-2600907",
    "Uitslaande brand verwoest schuur aan de Elspeterweg in Nunspeet",
    "Een schuur aan de Elspeterweg in Nunspeet is verwoest door een uitslaande brand. De "
    "brandweer was met meerdere wagens ter plaatse en hield de vlammen weg van een "
    "naastgelegen woning.",
    "https://nos.nl/artikel/2600907-brand-verwoest-schuur-nunspeet",
)

PARADE = (NRC, NOS, ND)
OUTLET_FEEDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "/nrc.xml": ("NRC", ()),
    "/nos.xml": ("NOS", ()),
    "/nd.xml": ("ND", ()),
    "/ad.xml": ("AD", ()),
}
