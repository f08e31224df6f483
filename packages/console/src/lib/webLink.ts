/**
 * The console opens only http(s) links: a `javascript:` or `file:` URL from a message must stay
 * text. Answers the parsed link, or why it is not one.
 */
export function parseWebLink(url: string): { href: string } | { problem: 'not-a-url' | 'not-http' } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { problem: 'not-a-url' };
  }
  return u.protocol === 'https:' || u.protocol === 'http:' ? { href: u.href } : { problem: 'not-http' };
}
