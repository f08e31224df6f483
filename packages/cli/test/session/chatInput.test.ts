import { describe, expect, it } from 'vitest';
import { parseChatInput } from '../../src/session/chatInput';

describe('parseChatInput: /human in the chat', () => {
  it.each([
    ['/human', { kind: 'human' }],
    ['  /human  ', { kind: 'human' }],
    ['/human\t', { kind: 'human' }],
    ['/Human', { kind: 'human' }],
    ['/human the AI keeps looping', { kind: 'human', reason: 'the AI keeps looping' }],
    ['/human   spaces around   ', { kind: 'human', reason: 'spaces around' }],
    ['/human\nover two\nlines', { kind: 'human', reason: 'over two\nlines' }],
  ])('%j asks for a human', (typed, parsed) => {
    expect(parseChatInput(typed)).toEqual(parsed);
  });

  it.each([
    ['/humanx', '/humanx'],
    ['/humans please', '/humans please'],
    ['/human-please', '/human-please'],
    ['human', 'human'],
    [' please /human', 'please /human'],
    ['//human', '//human'],
    ['/hum', '/hum'],
    ['', ''],
  ])('%j is ordinary chat', (typed, text) => {
    expect(parseChatInput(typed)).toEqual({ kind: 'chat', text });
  });

  it('refuses a reason over 1000 characters, and takes one of exactly 1000', () => {
    expect(parseChatInput(`/human ${'r'.repeat(1_001)}`)).toEqual({
      kind: 'invalid',
      message: 'The reason after /human is limited to 1000 characters.',
    });
    expect(parseChatInput(`/human ${'r'.repeat(1_000)}`)).toEqual({ kind: 'human', reason: 'r'.repeat(1_000) });
  });
});
