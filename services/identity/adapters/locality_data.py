"""The locality tree from the ``vietnam-provinces`` package: 34 provinces and 3,321 communes and
wards with their official codes and Vietnamese names; the villages a commune defined come from our
own table."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from vietnam_provinces import Province, Ward

from services.identity.domain.localities import Level, Locality, LocalityTree
from shared.contracts.identity import NATIONAL


@functools.cache
def official_places() -> tuple[Locality, ...]:
    places = [Locality(NATIONAL, "Việt Nam", Level.NATIONAL, None)]
    for p in Province.iter_all():
        name = p.name if p.name.startswith(("Thành phố", "Tỉnh")) else f"Tỉnh {p.name}"
        places.append(Locality(f"P{p.code.value:02d}", name, Level.PROVINCE, NATIONAL))
    for w in Ward.iter_all():
        places.append(Locality(f"W{w.code.value:05d}", w.name, Level.COMMUNE, f"P{w.province_code.value:02d}"))
    return tuple(places)


def locality_tree(villages: Iterable[dict[str, str]] = ()) -> LocalityTree:
    tree = LocalityTree(official_places())
    for v in villages:
        tree.add(Locality(v["code"], v["name"], Level.VILLAGE, v["commune"]))
    return tree
