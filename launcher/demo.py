"""`dxday demo`: a campaign modelled on Quảng Ngãi's plan no. 148 (2022), created through the public
HTTP APIs like any organizer would, and idempotently (running it twice changes nothing). It acts as the
national administrator, signed in with a one-time link valid minutes and signed out at the end.

The campaign is the next one ahead (this year's if 10 October is still to come, else next year's),
so seats can be reserved and reminders lie in the future.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from stdnum.vn import mst

from shared.platform.config import Settings

THEME = "Chuyển đổi số giải quyết các vấn đề của xã hội vì một cuộc sống tốt đẹp hơn cho người dân"
ORGANIZER = "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi"
BUSINESSES = [
    ("Công ty Cổ phần Công nghệ Số Sông Trà", "Phần mềm, chính quyền số", "Nguyễn Thị Lan", "0912 345 678"),
    ("Công ty TNHH Thương mại điện tử Thiên Ấn", "Thương mại điện tử", "Trần Quốc Bảo", "0935 111 222"),
    ("Hợp tác xã Nông nghiệp số Mộ Đức", "Nông nghiệp số, truy xuất nguồn gốc", "Lê Thị Hồng", "0977 333 444"),
]
PARTICIPANTS = [("Phạm Văn Tâm", "tam@example.vn"), ("Võ Thị Mai", "mai@example.vn"), ("Đặng Minh Khoa", None)]


def demo_year(today: dt.date) -> int:
    return today.year if today <= dt.date(today.year, 10, 10) else today.year + 1


def demo_campaign_id(year: int) -> str:
    return f"demo-quang-ngai-{year}"


def _tax_codes(n: int) -> list[str]:
    codes, base = [], 1_000_100  # 43: the province code in Quảng Ngãi's tax codes
    while len(codes) < n:
        prefix = f"43{base:07d}"
        codes += [f"{prefix}{d}" for d in range(10) if mst.is_valid(f"{prefix}{d}")][:1]
        base += 1
    return codes


@dataclass
class Demo:
    registration: str
    events: str
    access_token: str  # the national administrator's
    say: Callable[[str], None] = print
    timeout: float = 30.0

    def __post_init__(self) -> None:
        self.http = httpx.Client(timeout=self.timeout)
        self.org = {"Authorization": f"Bearer {self.access_token}"}

    def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, url, **kwargs)

    def _ok(self, response: httpx.Response, *allowed: int) -> dict[str, Any] | list[Any]:
        if response.status_code not in (200, 201, *allowed):
            raise RuntimeError(f"{response.request.method} {response.request.url} -> {response.status_code} "
                               f"{response.text[:300]}")
        return response.json() if response.content else {}

    def _eventually(self, probe: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + self.timeout
        while not probe():
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting for {what}")
            time.sleep(0.3)

    def run(self, today: dt.date) -> dict[str, Any]:
        year = demo_year(today)
        cid = demo_campaign_id(year)
        created = self._campaign(cid, year)
        self.say(f"campaign {cid}: {'created' if created else 'already there'}")
        self._eventually(lambda: self._call("GET", f"{self.registration}/campaigns/{cid}").status_code == 200,
                         "the registration service to learn of the campaign")
        booths = self._booths(cid, year)
        workshops = self._rooms_and_workshops(cid, year)
        placements = self._banners(cid, year)
        people = self._businesses_and_participants(cid, year, workshops)
        summary = (f"{booths} booths, {len(workshops)} workshops, {placements} banner placements, {people}")
        self.say(summary)
        commune = self._commune_campaign(year)
        return {"campaign_id": cid, "year": year, "created": created, "summary": summary,
                "schedule": f"{self.events}/campaigns/{cid}/schedule?day={year}-10-10",
                "page": f"{self.events}/schedule/{cid}?day={year}-10-10",
                "exhibit": f"{self.registration}/exhibit/{cid}", "join": f"{self.registration}/join/{cid}",
                "my_seats": f"{self.events}/my-seats", "my": f"{self.registration}/my",
                "board": f"{self.registration}/board/{cid}", "commune_board": f"{self.registration}/board/{commune}"}

    def _campaign(self, cid: str, year: int) -> bool:
        r = self._call("POST", f"{self.events}/campaigns", headers=self.org, json={
            "campaign_id": cid, "year": year, "theme": THEME, "organizer": ORGANIZER, "locality": "Quảng Ngãi",
            "locality_code": "P51",
            "booths_per_business": 3})
        self._ok(r, 409)
        return r.status_code == 201

    def _commune_campaign(self, year: int) -> str:
        """Xã Tịnh Khê's own campaign (its organizer approves the booth applications), beside the
        province's: each commune organizer manages its own and no other."""
        cid = f"demo-tinh-khe-{year}"
        r = self._call("POST", f"{self.events}/campaigns", headers=self.org, json={
            "campaign_id": cid, "year": year, "theme": THEME, "organizer": "UBND xã Tịnh Khê",
            "locality": "Xã Tịnh Khê", "locality_code": "W21211", "booth_confirmation": "approval"})
        self._ok(r, 409)
        if r.status_code == 409:
            return cid
        self._eventually(lambda: self._call("GET", f"{self.registration}/campaigns/{cid}").status_code == 200,
                         "the registration service to learn of the commune campaign")
        self._ok(self._call("POST", f"{self.registration}/campaigns/{cid}/venues", headers=self.org, json={
            "name": "Nhà văn hoá xã Tịnh Khê", "address": "Thôn Khê Thuận, xã Tịnh Khê",
            "booths": [{"code": f"TK{i}", "size": "3x3 m", "days": [f"{year}-10-10"]} for i in (1, 2)]}))
        name, sector, contact, phone = BUSINESSES[0]
        code = _tax_codes(len(BUSINESSES) + 1)[-1]
        b = self._ok(self._call("POST", f"{self.registration}/campaigns/{cid}/businesses", json={
            "legal_name": name, "tax_code": code, "province": "Quảng Ngãi", "sector": sector,
            "contact_person": contact, "email": f"lienhe-{code}@example.vn", "phone": phone}))
        self._ok(self._call("POST", f"{self.registration}/businesses/{b['business']['id']}/applications",  # type: ignore[index]
                            headers=self.org, json={"days": [f"{year}-10-10"]}))  # entered by the office
        self.say(f"commune campaign {cid}: 2 booths on 10 October, 1 application waiting for the commune's approval")
        return cid

    def _booths(self, cid: str, year: int) -> int:
        plan = self._ok(self._call("GET", f"{self.registration}/campaigns/{cid}/venues"))
        if plan:
            return sum(len(v["booths"]) for v in plan)  # type: ignore[union-attr]
        days = [f"{year}-10-{d:02d}" for d in range(1, 11)]
        self._ok(self._call("POST", f"{self.registration}/campaigns/{cid}/venues", headers=self.org, json={
            "name": "Khu trưng bày sản phẩm, giải pháp chuyển đổi số",
            "address": "Quảng trường Phạm Văn Đồng, TP. Quảng Ngãi",
            "booths": [{"code": f"A{i:02d}", "size": "3x3 m", "days": days} for i in range(1, 9)]}))
        self.say("booth plan: 8 booths A01–A08, open 1–10 October")
        return 8

    def _rooms_and_workshops(self, cid: str, year: int) -> list[dict[str, Any]]:
        if self._ok(self._call("GET", f"{self.events}/campaigns/{cid}/rooms")):
            return self._ok(self._call("GET", f"{self.events}/campaigns/{cid}/workshops"))  # type: ignore[return-value]
        hall = self._ok(self._call("POST", f"{self.events}/campaigns/{cid}/rooms", headers=self.org,
                                   json={"name": "Hội trường Trung tâm Hội nghị tỉnh", "seats": 150}))
        room = self._ok(self._call("POST", f"{self.events}/campaigns/{cid}/rooms", headers=self.org,
                                   json={"name": "Phòng tập huấn số 2", "seats": 30}))
        plan = [
            ("Hội thảo Chuyển đổi số tỉnh Quảng Ngãi năm " + str(year), "seminar", hall, "10", "08:00", "11:30",
             ["Giám đốc Sở Khoa học và Công nghệ"], "Lãnh đạo sở, ngành, doanh nghiệp"),
            ("Tập huấn kỹ năng số cho Tổ công nghệ số cộng đồng", "training", room, "09", "14:00", "16:30",
             ["Trung tâm Chuyển đổi số tỉnh"], "Tổ công nghệ số cộng đồng xã, thôn"),
            ("Tọa đàm: Thanh niên với chuyển đổi số", "talk", hall, "08", "08:00", "10:00",
             ["Tỉnh Đoàn Quảng Ngãi"], "Đoàn viên, thanh niên"),
            ("Hướng dẫn VNeID, chữ ký số và dịch vụ công trực tuyến", "training", room, "10", "14:00", "16:00",
             ["Công an tỉnh", "Trung tâm Chuyển đổi số tỉnh"], "Người dân"),
        ]
        made = []
        for title, kind, where, d, start, end, speakers, audience in plan:
            made.append(self._ok(self._call("POST", f"{self.events}/campaigns/{cid}/workshops", headers=self.org,
                                            json={"title": title, "kind": kind, "room_id": where["id"],  # type: ignore[index]
                                                  "start": f"{year}-10-{d}T{start}:00+07:00",
                                                  "end": f"{year}-10-{d}T{end}:00+07:00",
                                                  "speakers": speakers, "audience": audience})))
        self.say(f"rooms: 2, workshops: {len(made)} (the seminar on 10 October 08:00)")
        return made  # type: ignore[return-value]

    def _banners(self, cid: str, year: int) -> int:
        if self._ok(self._call("GET", f"{self.events}/campaigns/{cid}/banner-sites")):
            return len(self._ok(self._call("GET", f"{self.events}/campaigns/{cid}/banner-placements")))  # type: ignore[arg-type]
        sites = [("Siêu thị Co.opmart Quảng Ngãi", "supermarket", "242 Quang Trung, TP. Quảng Ngãi", 2),
                 ("Trung tâm thương mại Vincom Plaza Quảng Ngãi", "commercial_centre", "Hùng Vương, TP. Quảng Ngãi",
                  2),
                 ("Quảng trường Phạm Văn Đồng", "public_square", "TP. Quảng Ngãi", 4)]
        count = 0
        for name, kind, address, spots in sites:
            site = self._ok(self._call("POST", f"{self.events}/campaigns/{cid}/banner-sites", headers=self.org,
                                       json={"name": name, "kind": kind, "address": address, "spots": spots}))
            self._ok(self._call("POST", f"{self.events}/campaigns/{cid}/banner-placements", headers=self.org, json={
                "site_id": site["id"], "spot": 1, "slogan": "Chuyển đổi số vì một cuộc sống tốt đẹp hơn",  # type: ignore[index]
                "first_day": f"{year}-10-01", "last_day": f"{year}-10-10", "by": "Đoàn Thanh niên tỉnh"}))
            count += 1
        self.say(f"banner sites: {len(sites)} (supermarket, commercial centre, square), placements: {count}")
        return count

    def _businesses_and_participants(self, cid: str, year: int, workshops: list[dict[str, Any]]) -> str:
        listed = self._ok(self._call("GET", f"{self.registration}/campaigns/{cid}/businesses", headers=self.org))
        if listed["total"]:  # type: ignore[call-overload,index]
            return f"{listed['total']} businesses (already there)"  # type: ignore[call-overload,index]
        for (name, sector, contact, phone), code in zip(BUSINESSES, _tax_codes(len(BUSINESSES)), strict=True):
            r = self._ok(self._call("POST", f"{self.registration}/campaigns/{cid}/businesses", json={
                "legal_name": name, "tax_code": code, "province": "Quảng Ngãi", "sector": sector,
                "contact_person": contact, "email": f"lienhe-{code}@example.vn", "phone": phone}))
            self._ok(self._call("POST", f"{self.registration}/businesses/{r['business']['id']}/applications",  # type: ignore[index]
                                headers=self.org,  # entered by the office from the business's paper form
                                json={"days": [f"{year}-10-09", f"{year}-10-10"], "quantity": 2}))
        seminar = workshops[0]["workshop_id"] if workshops else None
        for name, email in PARTICIPANTS:
            r = self._ok(self._call("POST", f"{self.registration}/campaigns/{cid}/participants", json={
                "name": name, "email": email, "locality": "Xã Tịnh Khê", "language": "vi",
                "channels": ["email"] if email else ["file"],
                "consent": {"accepted": True, "purposes": ["service_notices", "reminders"]}}))
            if seminar:  # the office reserves for the person (signed in, it would do it itself)
                seat = {"participant_id": r["participant"]["id"]}  # type: ignore[index]
                self._eventually(lambda seat=seat: self._call(  # type: ignore[misc]
                    "POST", f"{self.events}/workshops/{seminar}/seats", headers=self.org, json=seat
                ).status_code == 201, "the events service to learn of the participant")
        self.say(f"businesses: {len(BUSINESSES)} applying for booths on 9–10 October; participants: "
                 f"{len(PARTICIPANTS)} with seats at the seminar")
        return f"{len(BUSINESSES)} businesses, {len(PARTICIPANTS)} participants"


def run(settings: Settings, today: dt.date, say: Callable[[str], None] = print) -> dict:
    from launcher import accounts  # the launcher stands above the services and may import them

    identity = settings.base_url_of("identity")
    link = accounts.administrator_link(settings, dt.timedelta(minutes=5))
    with httpx.Client(timeout=30) as http:
        signed = http.post(f"{identity}/sessions", json={"link": link.rsplit("/sign-in/", 1)[1]})
        if signed.status_code != 201:
            raise RuntimeError(f"the administrator could not sign in: {signed.status_code} {signed.text[:300]}")
        session = signed.json()
        try:
            demo = Demo(settings.base_url_of("registration"), settings.base_url_of("events"),
                        session["access_token"], say)
            return demo.run(today)
        finally:
            http.post(f"{identity}/sign-out", json={"session": session["session"]})
