"""The SSRF guard's table: which addresses a webhook may reach, the URL forms refused, host
names judged by what they resolve to, and what the allow-list lifts."""

from __future__ import annotations

import ipaddress

import pytest

from app.kit.settings import Settings
from app.webhooks.addresses import Allowed, Refused, check, refusal

REFUSED = [
    ("0.0.0.0", "unspecified"),
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),  # AWS, GCP, Azure, OpenStack metadata
    ("169.254.170.2", "link-local"),  # ECS task metadata
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.100.100.200", "carrier-grade NAT"),  # Alibaba Cloud metadata
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("192.0.2.10", "special use"),  # documentation
    ("198.18.0.1", "special use"),  # benchmarking
    ("::", "unspecified"),
    ("::1", "loopback"),
    ("fe80::1", "link-local"),
    ("fec0::1", "site-local"),
    ("fc00::1", "unique local"),
    ("fd00:ec2::254", "unique local"),  # AWS metadata over IPv6
    ("ff02::1", "multicast"),
    ("2001:db8::1", "special use"),  # documentation
    ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
    ("::ffff:10.0.0.1", "private"),
    ("::ffff:169.254.169.254", "link-local"),
    ("::ffff:7f00:1", "loopback"),  # the same mapped loopback, written in hex
    ("2002:7f00:1::", "loopback"),  # 6to4 around 127.0.0.1
    ("2002:a9fe:a9fe::", "link-local"),  # 6to4 around 169.254.169.254
    ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 around 169.254.169.254
    ("::7f00:1", "special use"),  # IPv4-compatible (deprecated) loopback
    ("2001::1", "special use"),  # Teredo
]
PUBLIC = ["8.8.8.8", "93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize(("address", "reason"), REFUSED)
def test_non_public_addresses_are_refused_with_their_reason(address: str, reason: str) -> None:
    found = refusal(ipaddress.ip_address(address))
    assert found is not None and reason in found


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_accepted(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


def resolver(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError(f"[Errno -2] Name or service not known: {host}")
        return table[host]

    return resolve


DNS = resolver({
    "hooks.example.com": ["93.184.216.34"],
    "internal.example.com": ["10.0.0.7"],
    "metadata.example.com": ["169.254.169.254"],
    "split.example.com": ["93.184.216.34", "127.0.0.1"],  # one bad address is enough
    "mapped.example.com": ["::ffff:192.168.0.1"],
    "mixed.example.com": ["93.184.216.34", "10.0.0.8"],
    "localhost": ["127.0.0.1", "::1"],
    "v6.example.com": ["2606:4700:4700::1111"],
})  # fmt: skip
NONE = Allowed()


@pytest.mark.parametrize(
    "url",
    [
        "https://internal.example.com/hook",
        "https://metadata.example.com/latest/meta-data/",
        "https://split.example.com/hook",
        "https://mapped.example.com/hook",
        "https://localhost:8443/hook",
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://169.254.169.254/latest/meta-data/",
    ],
)
def test_urls_leading_to_non_public_addresses_are_refused(url: str) -> None:
    with pytest.raises(Refused, match="only public addresses"):
        check(url, NONE, DNS)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://hooks.example.com/hook", "https"),
        ("ftp://hooks.example.com/hook", "https"),
        ("file:///etc/passwd", "https"),
        ("hooks.example.com/hook", "https"),
        ("https://user:secret@hooks.example.com/hook", "credentials"),
        ("https://hooks.example.com/hook#part", "fragment"),
        ("https:///hook", "host"),
        ("https://nowhere.example.com/hook", "cannot be resolved"),
        ("https://hooks.example.com:99999/hook", "port"),
        ("https://exa mple.com/hook", "not a valid host"),
        ("https://[not-an-address]/hook", "valid URL"),
    ],
)
def test_malformed_or_insecure_urls_are_refused(url: str, why: str) -> None:
    with pytest.raises(Refused, match=why):
        check(url, NONE, DNS)


def test_a_public_https_url_is_checked_to_the_address_to_connect_to() -> None:
    target = check("https://Hooks.Example.com:8443/in?x=1", NONE, DNS)
    assert target.address == "93.184.216.34"
    assert str(target.request_url()) == "https://93.184.216.34:8443/in?x=1"
    assert target.host_header == "hooks.example.com:8443"
    assert target.server_name == "hooks.example.com"


def test_an_ipv6_address_is_connected_to_in_brackets() -> None:
    target = check("https://v6.example.com/in", NONE, DNS)
    assert str(target.request_url()) == "https://[2606:4700:4700::1111]/in"
    assert target.host_header == "v6.example.com"


def test_an_address_literal_has_no_tls_server_name() -> None:
    assert check("https://93.184.216.34/in", NONE, DNS).server_name is None


def test_the_allow_list_lifts_the_block_for_the_hosts_and_networks_it_names_only() -> None:
    allowed = Allowed.parse(["internal.example.com", "127.0.0.0/8", "::1"])
    assert check("https://internal.example.com/h", allowed, DNS).address == "10.0.0.7"
    assert check("https://127.0.0.1:9000/h", allowed, DNS).address == "127.0.0.1"
    assert check("https://localhost/h", allowed, DNS).address == "127.0.0.1"  # both admitted
    assert check("https://[::ffff:127.0.0.1]/h", allowed, DNS).address == "::ffff:7f00:1"
    for url in ("https://metadata.example.com/", "https://mixed.example.com/",
                "https://mapped.example.com/", "https://10.0.0.7/"):  # fmt: skip
        with pytest.raises(Refused):
            check(url, allowed, DNS)


def test_plain_http_only_for_hosts_the_allow_list_admits() -> None:
    allowed = Allowed.parse(["INTERNAL.example.com.", "127.0.0.1"])
    assert check("http://internal.example.com/h", allowed, DNS).address == "10.0.0.7"
    assert check("http://127.0.0.1:8080/h", allowed, DNS).request_url().scheme == "http"
    with pytest.raises(Refused, match="https"):
        check("http://hooks.example.com/h", allowed, DNS)  # public, but not on the list


@pytest.mark.parametrize("value", ["not a host!", "10.0.0.0/33", "https://x.example.com"])
def test_the_allow_list_setting_refuses_what_is_neither_a_host_nor_a_network(value: str) -> None:
    with pytest.raises(ValueError, match="not"):
        Settings(webhook_allowed_hosts=value)


def test_the_allow_list_setting_reads_hosts_and_networks() -> None:
    settings = Settings(webhook_allowed_hosts=" psa.internal, 10.0.0.0/8 ,::1,127.0.0.1")
    assert settings.webhook_allowed_list == ["psa.internal", "10.0.0.0/8", "::1", "127.0.0.1"]


@pytest.mark.parametrize(
    "url",
    ["https://localhost/h", "https://2130706433/h", "https://0x7f000001/h", "https://127.1/h",
     "https://0177.0.0.1/h", "https://LOCALHOST./h"],
)  # fmt: skip
def test_every_spelling_of_loopback_is_refused_after_a_real_lookup(url: str) -> None:
    # The system resolver reads these as 127.0.0.1: judged by the address, not the text.
    with pytest.raises(Refused):
        check(url, NONE)


def test_an_international_host_name_is_looked_up_and_sent_in_its_ascii_form() -> None:
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["93.184.216.34"]

    target = check("https://bücher.example/hooks", NONE, resolve)
    assert asked == ["xn--bcher-kva.example"]
    assert target.host_header == "xn--bcher-kva.example"
    assert target.server_name == "xn--bcher-kva.example"
