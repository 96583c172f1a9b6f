// Recognises the User-Agent of a WMSP client and its version [MS-WMSP 2.2.1.8; wmsp.md §3.1, §6.11].
//
// Valid products are `NSPlayer` (players), `NSServer` (server-to-server distribution) and `WMCacheProxy`
// (caching proxies, also as `...; via WMCacheProxy/9.0`). Any other agent (a browser, curl, `Lavf/59.27.100`,
// `MPlayer UNKNOWN-12`) is not a WMSP client and gets the plain-HTTP fallback.

export const WMSP_PRODUCTS = ['NSPlayer', 'NSServer', 'WMCacheProxy'] as const;
export type WmspProduct = (typeof WMSP_PRODUCTS)[number];

export interface WmspUserAgent {
  readonly product: WmspProduct;
  readonly major: number;
  readonly minor: number;
  /** The request came through a WMS caching proxy (`; via WMCacheProxy`). */
  readonly viaCacheProxy: boolean;
}

const PRODUCT = /(?:^|[\s;,(])(NSPlayer|NSServer|WMCacheProxy)(?:\/(\d{1,5})(?:\.(\d{1,5}))?)?/i;
const VIA_PROXY = /\bvia\s+WMCacheProxy\b/i;

function canonical(name: string): WmspProduct {
  const lower = name.toLowerCase();
  return WMSP_PRODUCTS.find((p) => p.toLowerCase() === lower) ?? 'NSPlayer';
}

/** The WMSP product and version of a User-Agent value, or null for a client that does not speak WMSP. */
export function parseUserAgent(value: string | undefined): WmspUserAgent | null {
  if (value === undefined) return null;
  const text = value.slice(0, 512);
  const via = VIA_PROXY.test(text);
  const m = PRODUCT.exec(text);
  if (!m) return null;
  const product = canonical(m[1]!);
  return {
    product,
    major: m[2] === undefined ? 0 : Number(m[2]),
    minor: m[3] === undefined ? 0 : Number(m[3]),
    viaCacheProxy: via && product !== 'WMCacheProxy',
  };
}

/** True when the agent's version is at least major.minor. */
export function versionAtLeast(ua: WmspUserAgent | null, major: number, minor = 0): boolean {
  if (ua === null) return false;
  return ua.major > major || (ua.major === major && ua.minor >= minor);
}
