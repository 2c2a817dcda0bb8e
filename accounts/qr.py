"""The enrolment QR code, drawn on the server as inline SVG markup: no image service, no script, and
nothing the Content Security Policy has to allow (no inline style either: sizes come from portal.css)."""

from __future__ import annotations

import base64
from binascii import unhexlify

import qrcode
import qrcode.image.svg
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str, *, label: str) -> SafeString:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    svg = image.to_string(encoding="unicode")
    svg = svg.replace("<svg ", f'<svg class="qr-code" role="img" aria-label="{escape(label)}" ', 1)
    return mark_safe(svg)  # our own drawing of our own data; the label is escaped


def base32_secret(hex_key: str) -> str:
    """The secret as authenticator apps take it typed in: base32, in groups of four."""
    secret = base64.b32encode(unhexlify(hex_key)).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
