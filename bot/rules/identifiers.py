"""Company identifiers of PRODUCT 3.5: USCC, registrable web domain, phone. Pure.

tldextract runs from the public-suffix snapshot bundled with the package: it never downloads.
"""

from __future__ import annotations

import re

import phonenumbers
import tldextract
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError

# Consumer and free-mail domains never identify a company.
FREE_MAIL_DOMAINS = frozenset({
    "qq.com", "vip.qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "188.com", "sina.com", "sina.cn",
    "sohu.com", "aliyun.com", "139.com", "189.cn", "wo.cn", "tom.com", "21cn.com", "gmail.com", "googlemail.com",
    "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com", "icloud.com", "me.com",
    "mac.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "mail.com", "yandex.com",
    "zoho.com", "hey.com", "fastmail.com",
})
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
_HOST = re.compile(r"^[a-z0-9\u00a1-\uffff.-]+$")


class InvalidIdentifier(ValueError):
    def __init__(self, kind: str, value: str):
        super().__init__(f"invalid {kind}: {value!r}")
        self.kind = kind  # uscc | domain | phone
        self.value = value


def normalize_uscc(text: str) -> str:
    """The 18-character unified social credit code, checksum-validated, upper case."""
    try:
        return str(stdnum_uscc.validate(text))
    except ValidationError:
        raise InvalidIdentifier("uscc", text) from None


def web_name(token: str) -> str | None:
    """The name in a web address written into a company name (``amazon.com`` → ``amazon``,
    ``www.jd.com.cn`` → ``jd``): its registrable domain without the public suffix. None when ``token``
    does not end with a public suffix, or has more than ``www`` in front of the name."""
    parts = _EXTRACT(token)
    if not parts.suffix or not parts.domain or parts.subdomain not in ("", "www"):
        return None
    return parts.domain.replace(".", "")


def company_domain(text: str) -> str | None:
    """The registrable domain of a URL, e-mail address or host (``www.acme.com.cn`` → ``acme.com.cn``).

    None for free-mail and consumer domains, which never identify a company.
    """
    value = text.strip().casefold()
    if "@" in value:
        value = value.rsplit("@", 1)[1]
    value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value)
    value = re.split(r"[/?#:]", value, maxsplit=1)[0].strip(".")
    if not value or not _HOST.match(value):
        raise InvalidIdentifier("domain", text)
    parts = _EXTRACT(value)
    if not parts.domain or not parts.suffix:
        raise InvalidIdentifier("domain", text)
    domain = f"{parts.domain}.{parts.suffix}"
    return None if domain in FREE_MAIL_DOMAINS or value in FREE_MAIL_DOMAINS else domain


def normalize_phone(text: str, default_region: str = "CN") -> str:
    """E.164 (``010 6552 9988`` → ``+861065529988``)."""
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        raise InvalidIdentifier("phone", text) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier("phone", text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
