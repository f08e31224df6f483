import { describe, expect, it } from 'vitest';
import { parseWebLink } from './webLink';

describe('parseWebLink', () => {
  it('accepts https links, normalised, and names their host', () => {
    expect(parseWebLink('https://meet.example.com/abc')).toEqual({
      href: 'https://meet.example.com/abc',
      host: 'meet.example.com',
    });
    expect(parseWebLink('HTTPS://Example.com')).toEqual({ href: 'https://example.com/', host: 'example.com' });
  });

  it('refuses every other scheme, user info, hidden characters, and text that is not a URL', () => {
    expect(parseWebLink('http://example.com/')).toEqual({ problem: 'not-https' });
    expect(parseWebLink('javascript:alert(1)')).toEqual({ problem: 'not-https' });
    expect(parseWebLink('file:///etc/passwd')).toEqual({ problem: 'not-https' });
    expect(parseWebLink('data:text/html,<script>')).toEqual({ problem: 'not-https' });
    expect(parseWebLink('https://meet.example.com@evil.example/')).toEqual({ problem: 'user-info' });
    expect(parseWebLink('https://meet.example.com\u202e/x')).toEqual({ problem: 'hidden-characters' });
    expect(parseWebLink('meet.example.com')).toEqual({ problem: 'not-a-url' });
  });
});
