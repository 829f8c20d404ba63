"""Serializer fields shared by the APIs: addresses, exact USDC, Z-suffixed times."""
from rest_framework import serializers

from .chain import is_address, units_to_usdc, usdc_to_units
from .errors import InvalidInput
from .timefmt import iso_z


class AddressField(serializers.CharField):
    default_error_messages = {"invalid_address": "Enter 0x followed by 40 hex characters."}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 42)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not is_address(value):
            self.fail("invalid_address")
        return value.lower()


class HttpUrlField(serializers.URLField):
    """http and https only: javascript:, data: and the like are never stored to be shown as links."""

    default_error_messages = {"not_http": "Enter an http(s) URL."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value and not value.lower().startswith(("http://", "https://")):
            self.fail("not_http")
        return value


class UsdcField(serializers.DecimalField):
    """USDC as a JSON number on the wire, integer base units inside."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 22)
        kwargs.setdefault("decimal_places", 6)
        kwargs.setdefault("coerce_to_string", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return usdc_to_units(data, field=self.field_name or "amount")
        except InvalidInput as exc:
            raise serializers.ValidationError(exc.detail) from None

    def to_representation(self, value):
        return units_to_usdc(int(value))


class ZDateTimeField(serializers.DateTimeField):
    def to_representation(self, value):
        return iso_z(value)
