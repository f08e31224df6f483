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

/** Where the server address came from; `whoami` and `status` say it so a wrong server is easy to spot. */
export type BaseUrlSource = 'flag' | 'env' | 'remembered' | 'default';

export interface ResolvedServer {
  baseUrl: string;
  source: BaseUrlSource;
}

/** How each source is named to people. */
export const BASE_URL_SOURCE_LABEL: Record<BaseUrlSource, string> = {
  flag: '--base-url',
  env: 'CODEVF_API_URL',
  remembered: 'remembered from the last login',
  default: 'the default',
};

/**
 * The one resolution of the server address (docs/PROTOCOL.md order): --base-url, CODEVF_API_URL,
 * the server remembered from the last login, the default. `remembered` is called only when
 * neither the flag nor the variable names a server, so those never read the config folder.
 */
export async function resolveServer(sources: {
  flag?: string;
  env?: string;
  remembered: () => Promise<string | undefined> | string | undefined;
}): Promise<ResolvedServer> {
  if (sources.flag) return { baseUrl: normalizeBaseUrl(sources.flag, '--base-url'), source: 'flag' };
  if (sources.env) return { baseUrl: normalizeBaseUrl(sources.env, 'CODEVF_API_URL'), source: 'env' };
  const stored = await sources.remembered();
  if (stored) return { baseUrl: normalizeBaseUrl(stored, 'the remembered server address'), source: 'remembered' };
  return { baseUrl: DEFAULT_BASE_URL, source: 'default' };
}
