"""Model fields that keep only Fernet tokens in the database: the rows alone reveal nothing."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from config.text import scrub_unencodable
from tourism.medical import crypto


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token. It cannot be searched or filtered on: the database sees ciphertext."""

    description = "Text encrypted at rest"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return crypto.encrypt_text(value)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return crypto.decrypt_text(value)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None  # a lookup on ciphertext would silently match nothing; refuse it instead
        return super().get_lookup(lookup_name)


class EncryptedJSONField(EncryptedTextField):
    """A JSON document (dicts, lists, strings, numbers) stored as one Fernet token."""

    description = "JSON encrypted at rest"

    def get_prep_value(self, value):
        if value is None:
            return None
        return crypto.encrypt_text(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        # An answer saved before the API refused unencodable text may hold a lone surrogate (JSON keeps it
        # as "\\ud800"): read it as U+FFFD, so the record still renders for the surgeon (API and portal).
        return scrub_unencodable(json.loads(crypto.decrypt_text(value)))

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), cls=DjangoJSONEncoder)
