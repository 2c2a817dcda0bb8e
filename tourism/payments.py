"""Payment providers: how money reaches the operator. The ledger records what arrived.

A provider tells the passenger how to pay and checks a receipt's reference; recording the receipt is
`tourism.services.payment_record`, the same for every provider. The shipped provider is bank transfer:
the passenger wires the money quoting the booking's reference, and operations staff record the receipt
in admin when the bank statement shows it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Protocol

from django.conf import settings

from flights.exceptions import InvalidInput


class PaymentProvider(Protocol):
    code: str
    name: str

    def instructions(self, *, booking, amount: Decimal) -> list[str]:
        """What the passenger is told to do to pay `amount` for `booking`."""

    def clean_reference(self, reference: str) -> str:
        """The provider's receipt reference, normalised; InvalidInput when it cannot be one."""


def booking_payment_reference(booking) -> str:
    """The reference the passenger quotes so the transfer can be matched to the booking."""
    return f"SPL-{booking.pk:06d}"


class BankTransferProvider:
    code = "bank_transfer"
    name = "Bank transfer"
    REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./_-]{2,63}$")

    def instructions(self, *, booking, amount: Decimal) -> list[str]:
        return [
            f"Transfer {amount:,.2f} {booking.currency} to {settings.BANK_TRANSFER_DETAILS}.",
            f"Quote the reference {booking_payment_reference(booking)} so we can match your payment.",
            "Operations record the payment when it reaches our account; you will receive an email.",
        ]

    def clean_reference(self, reference: str) -> str:
        reference = (reference or "").strip()
        if not self.REFERENCE.match(reference):
            raise InvalidInput(
                "Give the bank's reference for the transfer (3 to 64 letters, digits, spaces or ./_-).",
                fields={"reference": ["Enter the bank's transfer reference."]},
            )
        return reference


PROVIDERS: dict[str, PaymentProvider] = {provider.code: provider for provider in (BankTransferProvider(),)}


def get_provider(code: str) -> PaymentProvider:
    try:
        return PROVIDERS[code]
    except KeyError:
        raise InvalidInput(
            f"Unknown payment provider {code!r}; known: {', '.join(sorted(PROVIDERS))}.",
            fields={"provider": ["Unknown payment provider."]},
        ) from None
