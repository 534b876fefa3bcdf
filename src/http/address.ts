/**
 * Which addresses the fetcher may connect to. Only globally routable unicast addresses pass:
 * loopback, private (RFC 1918), link-local (and the 169.254.169.254 metadata service), CGNAT
 * 100.64/10, unique-local IPv6 (fd00:ec2::254), multicast, reserved and the IPv6 forms that embed
 * an IPv4 address (mapped, 6to4, NAT64, Teredo) are refused. The check runs on the addresses DNS
 * returned, so a public name that resolves to 10.0.0.1 is refused just like the literal.
 */
import ipaddr from 'ipaddr.js';

/** Why an address is refused, or undefined when it is public. */
export function blockedAddressReason(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // parse() also accepts the decimal, octal and hex IPv4 forms ("2130706433", "0x7f.1").
    parsed = ipaddr.parse(bare);
  } catch {
    return 'not an IP address';
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) {
      const inner = blockedAddressReason(v6.toIPv4Address().toString());
      return inner ? `IPv4-mapped ${inner}` : undefined;
    }
  }
  const range = parsed.range();
  return range === 'unicast' ? undefined : range;
}

/** True when the string is an IP literal (any form ipaddr.js accepts), not a DNS name. */
export function isIpLiteral(host: string): boolean {
  return ipaddr.isValid(host.replace(/^\[|\]$/g, ''));
}
