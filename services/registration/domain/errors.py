"""Errors of the registration rules, each with its code and both languages."""

from __future__ import annotations

from shared.platform.errors import Conflict, NoSuchRecord, Unprocessable


class DuplicateBusiness(Conflict):
    code = "business_exists"


class AlreadySignedUp(Conflict):
    """One person per campaign and contact: this email or mobile belongs to a participant already."""

    code = "already_signed_up"


class BusinessNotFound(NoSuchRecord):
    pass


class ApplicationNotFound(NoSuchRecord):
    pass


class ParticipantNotFound(NoSuchRecord):
    pass


class InvalidApplication(Unprocessable):
    code = "invalid_application"


class InvalidVenue(Unprocessable):
    code = "invalid_venue"


class ConsentRequired(Unprocessable):
    code = "consent_required"


class BoothLimitReached(Conflict):
    code = "booth_limit_reached"


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
