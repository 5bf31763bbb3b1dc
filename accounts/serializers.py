"""Serializer fields that carry one rule for every API that accepts the value."""

from __future__ import annotations

from rest_framework import serializers

from .validators import validate_phone

PHONE_MAX_LENGTH = 40  # the column (studios.phone, user_profiles.phone is varchar(40))


class PhoneField(serializers.CharField):
    """A phone number, the same rule for a studio and a profile: a JSON string (not a
    number — `447946095800` would lose a leading zero or a +) of 6–15 digits with the
    usual separators (accounts.validators.validate_phone)."""

    default_error_messages = {"not_a_string": "Send the phone number as a string."}

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", PHONE_MAX_LENGTH)
        super().__init__(**kwargs)
        self.validators.append(validate_phone)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)
