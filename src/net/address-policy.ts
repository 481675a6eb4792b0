/**
 * Which addresses outbound requests (audio_url, webhook_url) may reach: public unicast only.
 * Loopback, RFC 1918 / unique-local, link-local (169.254.169.254 is every cloud's metadata
 * service), CGNAT, multicast, reserved and unspecified addresses are refused, IPv4-mapped IPv6
 * forms included. ALLOW_PRIVATE_URLS (tests) opens loopback and private ranges, never link-local
 * or unspecified ones, so even a test setup cannot reach instance metadata.
 */
import ipaddr from 'ipaddr.js';

const OPENED_BY_OVERRIDE = new Set(['loopback', 'private', 'uniqueLocal']);

/** Why `address` may not be reached, or undefined when it may. */
export function refusalReason(address: string, allowPrivate: boolean): string | undefined {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address);
  } catch {
    return `'${address}' is not an IP address`;
  }
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const range = ip.range();
  if (range === 'unicast') return undefined;
  if (allowPrivate && OPENED_BY_OVERRIDE.has(range)) return undefined;
  return `${address} is a ${describe(range)} address`;
}

function describe(range: string): string {
  switch (range) {
    case 'loopback':
      return 'loopback';
    case 'private':
    case 'uniqueLocal':
      return 'private';
    case 'linkLocal':
      return 'link-local (cloud metadata)';
    case 'unspecified':
      return 'unspecified';
    default:
      return `non-public (${range})`;
  }
}
