"""Errors of the registration rules, each with its code and both languages."""

from __future__ import annotations

from shared.errors import Conflict, NotFound, Unprocessable


class DuplicateBusiness(Conflict):
    code = "business_exists"


class BusinessNotFound(NotFound):
    code = "business_not_found"


class ApplicationNotFound(NotFound):
    code = "application_not_found"


class ParticipantNotFound(NotFound):
    code = "participant_not_found"


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
