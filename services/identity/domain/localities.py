"""Vietnam's locality tree, the ground of every scope: the country (``VN``), its 34 provinces
(``P<code>``), their 3,321 communes and wards (``W<code>``; the two-level local government in force
since 1 July 2025), and below a commune the villages and residential groups (thôn, tổ dân phố) that
its organizers define (``W<code>/<slug>``). Official codes and Vietnamese names. Pure: the data is
passed in (adapters/locality_data.py reads the vietnam-provinces package)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from services.identity.domain.errors import InvalidScope, UnknownLocality
from services.identity.locale import _
from shared.contracts.identity import CAMPAIGN_SCOPE, NATIONAL


class Level(StrEnum):
    NATIONAL = "national"
    PROVINCE = "province"
    COMMUNE = "commune"
    VILLAGE = "village"


@dataclass(frozen=True)
class Locality:
    code: str
    name: str
    level: Level
    parent: str | None


def village_code(commune: str, name: str) -> str:
    """``W21211`` + "Thôn An Lộc" -> ``W21211/thon-an-loc``."""
    plain = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    slug = re.sub(r"[^a-z0-9]+", "-", "".join(c for c in plain if not unicodedata.combining(c)).lower()).strip("-")
    if not slug:
        raise InvalidScope(_("A village needs a name with letters or digits"), field="name")
    return f"{commune}/{slug[:60]}"


class LocalityTree:
    """Lookups and the one rule scopes follow: a place covers itself and everything below it."""

    def __init__(self, localities: Iterable[Locality]) -> None:
        self._by_code: dict[str, Locality] = {}
        self._children: dict[str, list[str]] = {}
        for place in localities:
            self.add(place)

    def add(self, place: Locality) -> None:
        self._by_code[place.code] = place
        if place.parent is not None:
            self._children.setdefault(place.parent, []).append(place.code)

    def get(self, code: str) -> Locality:
        place = self._by_code.get(code)
        if place is None:
            raise UnknownLocality(_("No locality {code}", code=code), code=code)
        return place

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def children(self, code: str) -> list[Locality]:
        return sorted((self._by_code[c] for c in self._children.get(code, [])), key=lambda p: p.name)

    def lineage(self, code: str) -> list[Locality]:
        """The place and every place above it, up to the country."""
        found = []
        place: Locality | None = self.get(code)
        while place is not None:
            found.append(place)
            place = self._by_code.get(place.parent) if place.parent else None
        return found

    def covers(self, scope: str, target: str) -> bool:
        """Whether a grant on ``scope`` reaches ``target`` (a place or a campaign's scope). A campaign
        scope covers only that campaign; a place covers itself and below, never a sibling."""
        if scope.startswith(CAMPAIGN_SCOPE) or target.startswith(CAMPAIGN_SCOPE):
            return scope == target
        if scope == NATIONAL:
            return target in self
        return target in self and any(p.code == scope for p in self.lineage(target))

    def add_village(self, commune: str, name: str) -> Locality:
        parent = self.get(commune)
        if parent.level is not Level.COMMUNE:
            raise InvalidScope(_("Villages and residential groups belong to a commune or ward"), field="commune")
        place = Locality(village_code(commune, name), name.strip(), Level.VILLAGE, commune)
        self.add(place)
        return place

    def check_scope(self, scope: str) -> str:
        """A grant's scope: a known place or a campaign (``campaign:<id>``)."""
        if scope.startswith(CAMPAIGN_SCOPE):
            if not re.fullmatch(r"campaign:[a-z0-9-]{3,64}", scope):
                raise InvalidScope(_("A campaign scope is campaign:<campaign id>"), field="scope")
            return scope
        self.get(scope)
        return scope
