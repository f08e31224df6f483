import { describe, expect, it } from 'vitest';
import { parseWebLink } from './webLink';

describe('parseWebLink', () => {
  it('accepts http and https links, normalised', () => {
    expect(parseWebLink('https://meet.example.com/abc')).toEqual({ href: 'https://meet.example.com/abc' });
    expect(parseWebLink('HTTP://Example.com')).toEqual({ href: 'http://example.com/' });
  });

  it('refuses every other scheme, and text that is not a URL', () => {
    expect(parseWebLink('javascript:alert(1)')).toEqual({ problem: 'not-http' });
    expect(parseWebLink('file:///etc/passwd')).toEqual({ problem: 'not-http' });
    expect(parseWebLink('data:text/html,<script>')).toEqual({ problem: 'not-http' });
    expect(parseWebLink('meet.example.com')).toEqual({ problem: 'not-a-url' });
  });
});
