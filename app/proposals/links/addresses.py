"""Client addresses as views keep them: anonymised to their network (IPv4 /24, IPv6 /48),
enough to tell one office from another and not one person from the next."""

from __future__ import annotations

import ipaddress

USER_AGENT_LENGTH = 200


def anonymised(address: str | None) -> str:
    """``address`` with its host part zeroed, as ``network/prefix``; "unknown" when it is
    not an IP address (a test client, a Unix socket)."""
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    prefix = 24 if parsed.version == 4 else 48
    return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False))


def truncated(user_agent: str | None, length: int = USER_AGENT_LENGTH) -> str:
    """The user agent, printable and at most ``length`` characters."""
    text = "".join(ch for ch in (user_agent or "") if ch.isprintable())
    return text[:length]
