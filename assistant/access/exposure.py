"""Is the server reachable from other computers? Judged from the address it was told to bind to
(`server.address`), never from the visitor's address, which a proxy or a spoofed header can change."""
from __future__ import annotations

import ipaddress


def is_loopback(address: str | None) -> bool:
    """True only for an address that other computers cannot reach: 127.0.0.0/8, ::1, localhost.
    No address at all means every interface (Streamlit's default), so it is not loopback."""
    host = (address or "").strip().strip("[]")
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False   # a host name: it may resolve to anything, so it is treated as reachable
