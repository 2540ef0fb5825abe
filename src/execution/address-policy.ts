import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which network addresses latchkey may connect to on a caller's behalf (tool calls, webhook
 * deliveries) and accept in URLs callers give (webhook URLs, URL-type connection fields). By default
 * only publicly routable ones: an internal service or the cloud metadata endpoint (169.254.169.254)
 * must not be reachable by pointing latchkey at it. The literal host is checked, and a name is checked
 * again for what it resolves to at connect time, so DNS cannot point a public name inward.
 */
export interface AddressPolicy {
  /** LATCHKEY_ALLOW_PRIVATE_NETWORK: every address below is allowed */
  allowPrivate: boolean;
  /** loopback only (LATCHKEY_ALLOW_INSECURE_LOOPBACK, for development and tests, or allowPrivate) */
  allowLoopback: boolean;
}

export const STRICT_POLICY: AddressPolicy = { allowPrivate: false, allowLoopback: false };

/**
 * For fetches an unauthenticated stranger can cause (a client metadata document an MCP client names):
 * public addresses only, whatever LATCHKEY_ALLOW_PRIVATE_NETWORK says (that setting is for the
 * operator's own tool calls), loopback only for development and tests (LATCHKEY_ALLOW_INSECURE_LOOPBACK).
 */
export function publicOnlyPolicy(config: { allowInsecureLoopback: boolean }): AddressPolicy {
  return { allowPrivate: false, allowLoopback: config.allowInsecureLoopback };
}

export function addressPolicy(config: { allowPrivateNetwork: boolean; allowInsecureLoopback: boolean }): AddressPolicy {
  return { allowPrivate: config.allowPrivateNetwork, allowLoopback: config.allowPrivateNetwork || config.allowInsecureLoopback };
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

// Not publicly routable: RFC 6890 special-purpose registries (IPv4 and IPv6). BlockList also matches
// IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) against the IPv4 ranges.
const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", incl. the unspecified 0.0.0.0
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // RFC 6598 carrier-grade NAT
  ['169.254.0.0', 16], // RFC 3927 link-local, incl. cloud metadata 169.254.169.254
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // RFC 6890 IETF protocol assignments
  ['192.0.2.0', 24], // RFC 5737 documentation
  ['192.88.99.0', 24], // RFC 7526 6to4 relay anycast
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // RFC 2544 benchmarking
  ['198.51.100.0', 24], // RFC 5737
  ['203.0.113.0', 24], // RFC 5737
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. broadcast 255.255.255.255
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['64:ff9b:1::', 48], // RFC 8215 local-use NAT64
  ['100::', 64], // RFC 6666 discard
  ['2001:db8::', 32], // RFC 3849 documentation
  ['fc00::', 7], // RFC 4193 unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv6');
}

/**
 * IPv6 addresses a gateway turns into IPv4 ones: NAT64's well-known prefix 64:ff9b::/96 (RFC 6052 2.1,
 * the IPv4 address in the last 32 bits), 6to4 2002::/16 (RFC 3056 2, bits 16-47) and the deprecated
 * IPv4-compatible ::/96 (RFC 4291 2.5.5.1). Each is judged by the IPv4 address it reaches, so
 * 64:ff9b::a9fe:a9fe is the metadata endpoint on a NAT64 network while 64:ff9b::808:808 stays public
 * (IPv6-only hosts reach IPv4-only APIs that way). Teredo (2001::/32, RFC 4380) hides its IPv4 server
 * and client behind a relay; no API is served from it, so it is refused whole.
 */
function embeddedIpv4(address: string): string | 'teredo' | null {
  if (!ipaddr.IPv6.isValid(address)) return null;
  const parsed = ipaddr.IPv6.parse(address);
  const range = parsed.range();
  if (range === 'teredo') return 'teredo';
  const p = parsed.parts;
  const ipv4 = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  // (ipaddr.js reads the dotted ::a.b.c.d as IPv4-mapped; both carry the IPv4 address in the last 32 bits)
  if (range === 'rfc6052' || range === 'ipv4Mapped') return ipv4(p[6]!, p[7]!);
  if (range === '6to4') return ipv4(p[1]!, p[2]!);
  // ::a.b.c.d, but not :: and ::1 themselves (the lists above judge those)
  if (p.slice(0, 6).every((part) => part === 0) && p[6] !== 0) return ipv4(p[6]!, p[7]!);
  return null;
}

/**
 * Verdicts already reached, per policy: BlockList.check builds a SocketAddress from the string on
 * every call, which cost more than the rest of a tool call's URL checks (profiled, `npm run bench`),
 * and an upstream is called at the same few addresses again and again. Bounded: emptied when full.
 */
const VERDICTS = new WeakMap<AddressPolicy, Map<string, string | null>>();
const MAX_VERDICTS = 1024;

function remembered<T>(memo: Map<string, T>, key: string, decide: () => T): T {
  const known = memo.get(key);
  if (known !== undefined || memo.has(key)) return known as T;
  if (memo.size >= MAX_VERDICTS) memo.clear();
  const verdict = decide();
  memo.set(key, verdict);
  return verdict;
}

/** Why an IP address may not be connected to under the policy, or null when it may. */
export function addressRefusal(address: string, policy: AddressPolicy): string | null {
  let memo = VERDICTS.get(policy);
  if (!memo) VERDICTS.set(policy, (memo = new Map()));
  return remembered(memo, address, () => decideRefusal(address, policy));
}

function decideRefusal(address: string, policy: AddressPolicy): string | null {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (LOOPBACK.check(address, family)) return policy.allowLoopback ? null : 'a loopback address';
  if (NOT_PUBLIC.check(address, family)) return policy.allowPrivate ? null : 'a private, link-local or reserved address';
  if (family === 'ipv6') {
    const inner = embeddedIpv4(address);
    if (inner === 'teredo') return policy.allowPrivate ? null : 'a Teredo tunnel address';
    if (inner) return addressRefusal(inner, policy);
  }
  return null;
}

/**
 * The same, for a URL's host as written: an IP literal, or a `localhost` name (RFC 6761 6.3: always
 * loopback). Other names are checked when they resolve (`guardedLookup`).
 */
export function hostRefusal(hostname: string, policy: AddressPolicy): string | null {
  if (isLoopbackName(hostname)) return policy.allowLoopback ? null : 'a loopback address';
  return ipLiteralRefusal(hostname.toLowerCase(), policy);
}

const isLoopbackName = (hostname: string) => {
  const host = hostname.replace(/\.$/, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost');
};

/**
 * Whether a URL's host is loopback as written, with no lookup: a `localhost` name or a loopback IP
 * literal (127.0.0.0/8, ::1, and IPv4-mapped forms of them). The one loopback test of the code base.
 */
export function isLoopbackHost(hostname: string): boolean {
  return remembered(LOOPBACK_HOSTS, hostname, () => decideLoopbackHost(hostname));
}

const LOOPBACK_HOSTS = new Map<string, boolean>();

function decideLoopbackHost(hostname: string): boolean {
  if (isLoopbackName(hostname)) return true;
  const address = hostname.replace(/^\[|\]$/g, '');
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** For an IP literal host (`[::1]` as URL.hostname writes it), which a connection reaches without any lookup. */
export function ipLiteralRefusal(hostname: string, policy: AddressPolicy): string | null {
  const address = hostname.replace(/^\[|\]$/g, '');
  return isIP(address) ? addressRefusal(address, policy) : null;
}

/** The setting to name when a URL is refused, so an operator knows what allows it. */
export const PRIVATE_NETWORK_HINT = 'set LATCHKEY_ALLOW_PRIVATE_NETWORK=true to allow private and loopback addresses';

/** Why a caller-given URL's host is refused, or null; a URL that does not parse is not this check's to refuse. */
export function urlRefusal(url: string, policy: AddressPolicy): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const refused = hostRefusal(parsed.hostname, policy);
  return refused && `points at ${refused}; ${PRIVATE_NETWORK_HINT}`;
}

export const ADDRESS_REFUSED = 'ERR_LATCHKEY_ADDRESS_REFUSED';

/**
 * A `lookup` for node:net connections: resolves as usual, then refuses the connection when any
 * address the name resolves to is not allowed (all of them, so a name with one public and one
 * private address cannot be raced to the private one).
 */
export function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...(options as LookupOneOptions), all: true } as LookupAllOptions, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.map((a) => addressRefusal(a.address, policy)).find((r) => r !== null);
      if (refused) {
        const failure: NodeJS.ErrnoException = new Error(`${hostname} resolves to ${refused}`);
        failure.code = ADDRESS_REFUSED;
        return callback(failure, '', 0);
      }
      if ((options as LookupAllOptions).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
}
