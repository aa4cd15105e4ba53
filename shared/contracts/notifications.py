"""Commands the notifications service answers over request-reply (it publishes no contract events
of its own for these): a sign-in message goes out at once, on the channel asked for, and is kept
nowhere — not in the delivery log, its CSV, a stream or a log line."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.streams import rpc_subject

SIGN_IN_MESSAGE_RPC = rpc_subject("notifications", "sign_in_message.send")


class SignInMessage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    account_id: str = Field(max_length=36)
    channel: Literal["email", "sms"]
    to: str = Field(min_length=3, max_length=320)
    name: str = Field(max_length=200)
    language: Literal["vi", "en"] = "vi"
    link: str = Field(max_length=600, description="The one-time sign-in link")
    code: str = Field(pattern=r"^[0-9]{6}$", description="The same sign-in as a 6-digit code")
    valid_minutes: int = Field(ge=1, le=60)
