"""The SSRF guard: an endpoint URL may only lead to a public address, unless the allow-list
(``OFFERWRIGHT_WEBHOOK_ALLOWED_HOSTS``) names its host or network.

Checked when an endpoint is registered (a 422 naming ``url``) and again at every delivery,
since DNS may have changed: the host is resolved, every address it resolves to must be
acceptable, and the delivery connects to the address checked here, never to a fresh lookup
(no window for DNS rebinding), sending the host's name in ``Host`` and as the TLS server
name. Plain ``http`` only for a host the allow-list admits."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Names and resolves a host for a port: its addresses, as text, in the resolver's order.
Resolver = Callable[[str, int], list[str]]

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network
# Each refused range and why, checked in order (the first that holds is the reason given).
_REFUSED: tuple[tuple[IPNetwork, str], ...] = (
    (_V4("0.0.0.0/8"), "an unspecified address"),
    (_V4("127.0.0.0/8"), "a loopback address"),
    (_V4("10.0.0.0/8"), "a private address"),
    (_V4("172.16.0.0/12"), "a private address"),
    (_V4("192.168.0.0/16"), "a private address"),
    (_V4("169.254.0.0/16"), "a link-local address (where cloud metadata services answer)"),
    (_V4("100.64.0.0/10"), "a carrier-grade NAT address"),
    (_V4("224.0.0.0/4"), "a multicast address"),
    (_V4("240.0.0.0/4"), "a reserved address"),
    (_V6("::/128"), "an unspecified address"),
    (_V6("::1/128"), "a loopback address"),
    (_V6("fe80::/10"), "a link-local address"),
    (_V6("fec0::/10"), "a site-local address"),
    (_V6("fc00::/7"), "a unique local address (private)"),
    (_V6("ff00::/8"), "a multicast address"),
)
_NAT64 = _V6("64:ff9b::/96")
# A DNS name (international names arrive here in their ASCII, xn-- form).
_LABEL = r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST_NAME = re.compile(rf"(?i){_LABEL}(\.{_LABEL})*\.?")


def refusal(address: IPAddress) -> str | None:
    """Why ``address`` may not be connected to, or None for a public address. IPv4 inside
    IPv6 (mapped, 6to4, NAT64) is judged as the IPv4 address it carries."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            inner = refusal(embedded)
            if inner is not None:
                return f"{inner} (inside the IPv6 address {address})"
            if address.ipv4_mapped is not None:
                return None  # ::ffff:a.b.c.d is a.b.c.d
    for network, reason in _REFUSED:
        if address.version == network.version and address in network:
            return reason
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved or not address.is_global:
        return "an address reserved for special use"
    return None


@dataclass(frozen=True, slots=True)
class Allowed:
    """The allow-list: host names (exact, any case) and networks."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, items: Iterable[str]) -> Allowed:
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for item in items:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                hosts.add(_name(item))
        return cls(frozenset(hosts), tuple(networks))

    def admits(self, host: str, addresses: Iterable[IPAddress]) -> bool:
        """The host is named, or every address it has is in an allowed network."""
        found = list(addresses)
        return _name(host) in self.hosts or (
            bool(found) and all(self.admits_address(address) for address in found)
        )

    def admits_address(self, address: IPAddress) -> bool:
        plain = _plain(address)
        return any(plain in network or address in network for network in self.networks)


class Refused(Exception):
    """The URL may not be called: ``str(error)`` says why, for a person."""


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL: what to connect to and what to call the host there."""

    url: httpx.URL  # as registered
    address: str  # the checked address the request goes to

    def request_url(self) -> httpx.URL:
        """The URL with the checked address as its host: the connection goes there."""
        return self.url.copy_with(host=self.address)

    @property
    def host_header(self) -> str:
        return self.url.netloc.decode("ascii")  # the host as registered, with its port

    @property
    def server_name(self) -> str | None:
        """The TLS server name (SNI) and the name the certificate must carry."""
        host = self.url.raw_host.decode("ascii")
        return None if self.url.scheme != "https" or _is_address(host) else host


def parse(url: str) -> httpx.URL:
    """The URL's form alone, before any lookup: absolute http(s), a host, no credentials."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as error:
        raise Refused(f"not a valid URL: {error}") from error
    if parsed.scheme not in ("https", "http"):
        raise Refused("must be an https URL")
    if not parsed.raw_host:
        raise Refused("must name a host")
    host = parsed.raw_host.decode("ascii")
    if not (_is_address(host) or _HOST_NAME.fullmatch(host)):
        raise Refused(f"{host!r} is not a valid host name")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise Refused("its port must be between 1 and 65535")
    if parsed.userinfo:
        raise Refused("must not carry credentials (user:password@); verify the signature instead")
    if parsed.fragment:
        raise Refused("must not have a fragment (#...)")
    return parsed


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # An IPv6 address may come with its zone (fe80::1%eth0): the zone is no part of it.
    found = [str(info[4][0]).split("%")[0] for info in infos]
    return list(dict.fromkeys(found))


def check(url: str, allowed: Allowed, resolve: Resolver = system_resolver) -> Target:
    """The URL checked, its host resolved, and the address to connect to; ``Refused`` when
    it may not be called."""
    parsed = parse(url)
    host = parsed.raw_host.decode("ascii")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    if _is_address(host):  # a literal is what it says: no lookup
        found = [host.strip("[]")]
    else:
        try:
            found = resolve(host, port)
        except (OSError, UnicodeError) as error:
            raise Refused(f"its host {host} cannot be resolved ({error})") from error
    addresses = [ipaddress.ip_address(text) for text in found]
    if not addresses:
        raise Refused(f"its host {host} resolves to no address")
    if parsed.scheme == "http" and not allowed.admits(host, addresses):
        raise Refused("must be an https URL (plain http only for hosts on the allow-list)")
    if _name(host) not in allowed.hosts:
        for address in addresses:
            reason = refusal(address)
            if reason is not None and not allowed.admits_address(address):
                raise Refused(
                    f"its host {host} resolves to {address}, {reason}; only public "
                    "addresses are called unless OFFERWRIGHT_WEBHOOK_ALLOWED_HOSTS names it"
                )
    return Target(parsed, str(addresses[0]))


def _name(host: str) -> str:
    return host.strip().lower().rstrip(".").strip("[]")


def _plain(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
