"""How a message leaves: SMTP, an HTTP SMS gateway, a signed webhook, or a readable file.

Every transport gets the notification id as an idempotency key (Message-ID, Idempotency-Key
header, file name), so a retry after an ambiguous failure can be recognised downstream.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import time
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from html import escape
from pathlib import Path

import aiosmtplib
import httpx

from services.notifications.application.ports import ChannelError, Outgoing, Transport
from shared.web import qr

__all__ = ["ChannelError", "Outgoing", "Transport", "FileTransport", "DiscardTransport", "SmtpTransport",
           "SmsGateway", "Webhook", "email_message", "sign", "verify"]


class FileTransport:
    """The embedded default: one readable file per message under the data dir."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message: Outgoing) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.directory / f"{message.channel}-{message.notification_id}.txt"
        text = (f"Kênh / Channel: {message.channel}\nĐến / To: {message.to}\nTiêu đề / Subject: {message.subject}\n"
                f"Mã / Id: {message.notification_id}\n\n{message.body}")
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # an address and a name: owner only
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        tmp.replace(path)  # the same id overwrites the same file: a retry leaves one message

    async def forget(self, notification_ids: list[str]) -> None:
        """Erasure: the copies this channel keeps under the data dir go too."""
        for notification_id in notification_ids:
            for path in self.directory.glob(f"*-{notification_id}.txt"):
                path.unlink(missing_ok=True)


class DiscardTransport:
    """Hands every message to nobody: for load tests and rehearsals, where only the recording counts."""

    async def send(self, message: Outgoing) -> None:
        return None


class SmtpTransport:
    """Email over SMTP, on a few connections kept open and reused across a batch (a new connection,
    greeting and TLS handshake per email would cost the server and us more than the email itself)."""

    def __init__(self, host: str, port: int, *, sender: str, starttls: bool, user: str | None,
                 password: str | None, timeout: float = 20.0, connections: int = 4) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.user, self.password, self.timeout = starttls, user, password, timeout
        self._idle: list[aiosmtplib.SMTP] = []
        self._slots = asyncio.Semaphore(connections)

    async def _connect(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(hostname=self.host, port=self.port, timeout=self.timeout,
                                 start_tls=self.starttls or None)
        await client.connect()
        if self.user:
            await client.login(self.user, self.password or "")
        return client

    async def send(self, message: Outgoing) -> None:
        if not message.to:
            raise ChannelError("no email address", permanent=True)
        mail = email_message(self.sender, message)
        async with self._slots:
            client = self._idle.pop() if self._idle else None
            try:
                for fresh in (False, True):  # a kept connection the server has closed: once more, new
                    if client is None:
                        client, fresh = await self._connect(), True
                    try:
                        await client.send_message(mail)
                        break
                    except aiosmtplib.SMTPServerDisconnected:
                        client = None
                        if fresh:
                            raise
                self._idle.append(client)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                if client is not None:
                    client.close()  # a fresh one for the next: no half-done transaction left on it
                raise ChannelError(f"recipient refused: {exc}", permanent=True) from exc
            except (aiosmtplib.SMTPException, OSError) as exc:
                if client is not None:
                    client.close()
                raise ChannelError(f"{type(exc).__name__}: {exc}") from exc

    async def close(self) -> None:
        while self._idle:
            client = self._idle.pop()
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()


QR_CID = "checkin-qr@dxday"
QR_ALT = {"vi": "Mã QR vào cửa", "en": "Check-in QR code"}


def email_message(sender: str, message: Outgoing) -> MIMEBase:
    """The email as it leaves. The subject is encoded here as RFC 2047 words that carry their own
    spaces: Python 3.11's folding of an EmailMessage header drops the space between two encoded words
    ("sập máy" arrived as "sậpmáy"). A seat notice is text and HTML with its QR code as an inline image
    (multipart/related, ``cid:``), so mail clients show it without loading anything from the network."""
    mail: MIMEBase = MIMEText(message.body, "plain", "utf-8")
    if message.qr:
        mail = _with_qr(message)
    name, address = parseaddr(sender)
    mail["From"] = formataddr((name, address), charset="utf-8") if name else address
    mail["To"] = message.to
    mail["Subject"] = Header(message.subject, "utf-8")
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = f"<{message.notification_id}@dxday>"
    mail["Content-Language"] = message.language
    if message.unsubscribe_url:  # mail clients show an "unsubscribe" button that posts here, one click
        mail["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return mail


def _with_qr(message: Outgoing) -> MIMEBase:
    assert message.qr is not None
    alt = QR_ALT.get(message.language, QR_ALT["vi"])
    html = (f'<!doctype html><html lang="{message.language}"><body>'
            f'<pre style="font-family:inherit;white-space:pre-wrap">{escape(message.body)}</pre>'
            f'<p><img src="cid:{QR_CID}" alt="{alt}" width="240" height="240"></p></body></html>')
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText(message.body, "plain", "utf-8"))
    alternative.attach(MIMEText(html, "html", "utf-8"))
    image = MIMEImage(qr.png(message.qr), "png")
    image["Content-ID"] = f"<{QR_CID}>"
    image.add_header("Content-Disposition", "inline", filename="checkin-qr.png")
    related = MIMEMultipart("related")
    related.attach(alternative)
    related.attach(image)
    return related


class SmsGateway:
    def __init__(self, url: str, key: str | None, sender: str, client: httpx.AsyncClient) -> None:
        self.url, self.key, self.sender, self.client = url, key, sender, client

    async def send(self, message: Outgoing) -> None:
        if not message.to:
            raise ChannelError("no phone number", permanent=True)
        headers = {"Idempotency-Key": message.notification_id}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        await _post(self.client, self.url, {"to": message.to, "sender": self.sender, "text": sms_text(message),
                                            "id": message.notification_id}, headers)


def sms_text(message: Outgoing) -> str:
    """The SMS's own line when it was planned for SMS; a notice that falls back to SMS from another
    channel sends its subject and its first link instead of the whole email."""
    if "\n" not in message.body.strip():
        return message.body.strip()
    link = next((w for w in message.body.split() if w.startswith(("http://", "https://"))), "")
    return f"{message.subject} {link}".strip()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of ``<timestamp>.<body>``: the timestamp is signed too, against replay."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={mac}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, now: float | None = None,
           tolerance_s: int = 300) -> bool:
    """For receivers: the signature matches and the timestamp is recent."""
    fresh = abs((now if now is not None else time.time()) - int(timestamp)) <= tolerance_s
    return fresh and hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode())


class Webhook:
    def __init__(self, url: str, secret: str | None, client: httpx.AsyncClient) -> None:
        self.url, self.secret, self.client = url, secret, client

    async def send(self, message: Outgoing) -> None:
        body = json.dumps({"id": message.notification_id, "recipient_id": message.recipient_id,
                           "template": message.template, "language": message.language,
                           "subject": message.subject, "body": message.body}, ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.notification_id,
                   "X-Dxday-Timestamp": timestamp}
        if self.secret:
            headers["X-Dxday-Signature"] = sign(self.secret, timestamp, body)
        await _post(self.client, self.url, body, headers)


async def _post(client: httpx.AsyncClient, url: str, payload: dict | bytes, headers: dict[str, str]) -> None:
    try:
        if isinstance(payload, bytes):
            response = await client.post(url, content=payload, headers=headers)
        else:
            response = await client.post(url, json=payload, headers=headers)
    except httpx.HTTPError as exc:
        raise ChannelError(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise ChannelError(f"HTTP {response.status_code}: {response.text[:200]}")
    if response.status_code >= 400:
        raise ChannelError(f"HTTP {response.status_code}: {response.text[:200]}", permanent=True)
