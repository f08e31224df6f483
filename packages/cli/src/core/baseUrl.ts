import { DEFAULT_BASE_URL } from '@codevf/protocol/constants';
import { CodevfError } from './errors';

/**
 * Plain http:// would send tokens in clear text, so it is only allowed where the traffic never
 * leaves the machine: localhost, 127.0.0.0/8 and ::1.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Validates a server address and returns it normalised (origin plus path, no trailing slash). */
export function normalizeBaseUrl(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new CodevfError('E_VALIDATION', `${source} is not a valid URL: ${JSON.stringify(raw)}`, {
      hint: 'Use a full address such as https://codevf.example.com',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CodevfError('E_VALIDATION', `${source} must be an http(s) URL, got ${url.protocol}`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new CodevfError('E_VALIDATION', `${source} must not contain credentials, a query or a fragment.`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new CodevfError('E_INSECURE_URL', `Refusing plain http:// for ${url.host}: tokens would travel unencrypted.`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export interface BaseUrlSources {
  flag?: string;
  env?: string;
  stored?: string;
}

/** docs/PROTOCOL.md order: --base-url, CODEVF_API_URL, the address stored at login, the default. */
export function resolveBaseUrl(sources: BaseUrlSources): string {
  if (sources.flag) return normalizeBaseUrl(sources.flag, '--base-url');
  if (sources.env) return normalizeBaseUrl(sources.env, 'CODEVF_API_URL');
  if (sources.stored) return normalizeBaseUrl(sources.stored, 'the stored server address');
  return DEFAULT_BASE_URL;
}
