"""The first accounts of an installation, made by ``dxday up`` on the identity database: the national
administrator, and with the demo the Quảng Ngãi officials. Each gets a one-time sign-in link,
printed (valid a day): there is no shared key to hand around."""

from __future__ import annotations

import asyncio
import datetime as dt

from launcher.demo import demo_year
from services.identity.adapters.unit_of_work import IdentityUnitOfWork
from services.identity.application.sign_in import setup_sign_in_link
from shared.contracts.identity import NATIONAL, Role
from shared.platform.clock import SystemClock
from shared.platform.config import Settings
from shared.platform.db import create_engine, sessionmaker_for

FIRST_LINK_VALID = dt.timedelta(days=1)
Person = tuple[str, str, Role, str, str]  # name, email, role, scope, where the link lands


def demo_people(settings: Settings, year: int) -> list[Person]:
    """The demo's officials; the check-in staff's link opens the door page of Xã Tịnh Khê's campaign."""
    door = f"{settings.base_url_of('events')}/board/demo-tinh-khe-{year}/door"
    return [("Nguyễn Văn An (Sở KH&CN Quảng Ngãi)", "tinh.quangngai@dxday.local", Role.ORGANIZER, "P51", "/me"),
            ("Trần Thị Bích (UBND xã Tịnh Khê)", "xa.tinhkhe@dxday.local", Role.ORGANIZER, "W21211", "/me"),
            ("Lê Văn Cường (soát vé, xã Tịnh Khê)", "soatve.tinhkhe@dxday.local", Role.CHECKIN_STAFF, "W21211",
             door)]


def administrator(settings: Settings) -> Person:
    return ("Quản trị viên quốc gia", settings.admin_email or "admin@dxday.local", Role.ORGANIZER, NATIONAL, "/me")


async def _links(settings: Settings, people: list[Person],
                 valid_for: dt.timedelta = FIRST_LINK_VALID) -> list[tuple[str, str, str]]:
    engine = create_engine(settings.db_url_of("identity"))
    try:
        sessions = sessionmaker_for(engine)
        found = []
        for name, email, role, scope, lands_on in people:
            link = await setup_sign_in_link(lambda: IdentityUnitOfWork(sessions, None), SystemClock(),
                                            settings.base_url_of("identity"), name=name, email=email, role=role,
                                            scope=scope, valid_for=valid_for, next_path=lands_on)
            found.append((name, f"{role.value} {scope}", link))
        return found
    finally:
        await engine.dispose()


def administrator_link(settings: Settings, valid_for: dt.timedelta = FIRST_LINK_VALID) -> str:
    """A new one-time sign-in link for the national administrator (``dxday sign-in-link``; the demo
    loader signs in with one, valid minutes)."""
    return asyncio.run(_links(settings, [administrator(settings)], valid_for))[0][2]


def sign_in_links(settings: Settings, *, demo: bool) -> list[tuple[str, str, str]]:
    """(who, role and scope, one-time link) for the administrator and, with the demo, its officials."""
    people = demo_people(settings, demo_year(dt.date.today())) if demo else []
    return asyncio.run(_links(settings, [administrator(settings), *people]))
