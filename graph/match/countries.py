"""Country names (ISO 3166 English names, common short forms, native names) -> alpha-2 codes."""

from __future__ import annotations

from functools import cache

import pycountry

from graph.match.normalise import Key, key

# What affiliations write that ISO 3166 does not: short forms, old names, native names.
_EXTRA: dict[str, tuple[str, ...]] = {
    "US": ("USA", "U.S.A.", "US", "U.S.", "United States of America", "United States", "America"),
    "GB": (
        "UK",
        "U.K.",
        "United Kingdom",
        "Great Britain",
        "England",
        "Scotland",
        "Wales",
        "Northern Ireland",
        "Britain",
    ),
    "KR": (
        "Korea",
        "South Korea",
        "Republic of Korea",
        "Korea Republic",
        "Korea (South)",
        "ROK",
        "대한민국",
        "한국",
    ),
    "KP": ("North Korea", "DPRK"),
    "CN": (
        "China",
        "P.R. China",
        "PR China",
        "P. R. China",
        "PRC",
        "People's Republic of China",
        "中国",
    ),
    "TW": ("Taiwan", "Taiwan ROC", "Republic of China"),
    "RU": ("Russia", "Russian Federation", "Россия"),
    "IR": ("Iran",),
    "VN": ("Vietnam", "Viet Nam"),
    "CZ": ("Czech Republic", "Czechia"),
    "TR": ("Turkey", "Türkiye", "Turkiye"),
    "NL": ("The Netherlands", "Netherlands", "Holland", "Nederland"),
    "DE": ("Germany", "Deutschland"),
    "ES": ("Spain", "España"),
    "IT": ("Italy", "Italia"),
    "BR": ("Brazil", "Brasil"),
    "AT": ("Austria", "Österreich"),
    "CH": ("Switzerland", "Schweiz", "Suisse", "Svizzera"),
    "PL": ("Poland", "Polska"),
    "EE": ("Estonia", "Eesti"),
    "FI": ("Finland", "Suomi"),
    "SE": ("Sweden", "Sverige"),
    "NO": ("Norway", "Norge"),
    "DK": ("Denmark", "Danmark"),
    "JP": ("Japan", "Nippon", "日本"),
    "BO": ("Bolivia",),
    "VE": ("Venezuela",),
    "TZ": ("Tanzania",),
    "SY": ("Syria",),
    "LA": ("Laos",),
    "MD": ("Moldova",),
    "MK": ("Macedonia", "North Macedonia"),
    "PS": ("Palestine",),
    "CD": ("DR Congo", "Democratic Republic of the Congo", "DRC"),
    "CI": ("Ivory Coast", "Côte d'Ivoire"),
    "XK": ("Kosovo",),
    "HK": ("Hong Kong",),
    "MO": ("Macau", "Macao"),
    "BN": ("Brunei",),
    "FR": ("France",),
    "MX": ("Mexico", "México"),
    "BE": ("Belgium", "Belgique", "België"),
    "GR": ("Greece", "Hellas"),
    "HU": ("Hungary", "Magyarország"),
    "PT": ("Portugal",),
    "IE": ("Ireland", "Éire"),
}


@cache
def countries() -> dict[Key, str]:
    """Every known way of writing a country, as a name key -> its alpha-2 code."""
    out: dict[Key, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                out.setdefault(key(value), country.alpha_2)
    for code, spellings in _EXTRA.items():
        for spelling in spellings:
            out[key(spelling)] = code
    out.pop((), None)
    return out


def country_in(part_key: Key, *, suffix: bool) -> tuple[str, int] | None:
    """The country a part names and in how many of its last words: the whole part, or
    (`suffix`) its last words ("Kolkata India")."""
    table = countries()
    found = table.get(part_key)
    if found:
        return found, len(part_key)
    if not suffix:
        return None
    for size in (3, 2, 1):
        if len(part_key) > size:
            found = table.get(part_key[-size:])
            if found:
                return found, size
    return None
