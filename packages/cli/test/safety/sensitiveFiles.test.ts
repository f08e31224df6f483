import { describe, expect, it } from 'vitest';
import { isSensitivePath } from '../../src/safety/sensitiveFiles';

describe('isSensitivePath', () => {
  it("flags CodeVF's own configuration directory, which holds the login tokens", () => {
    for (const p of [
      '.config/codevf/auth.json',
      'home/jane/.config/codevf/auth.json',
      '.config/codevf/anything-else.json',
      'xdg/codevf/auth.json', // $XDG_CONFIG_HOME inside the project
      'AppData\\Roaming\\codevf\\auth.json',
      '.CONFIG/CodeVF/auth.json',
    ])
      expect(isSensitivePath(p), p).toBe(true);
  });

  it("leaves a project's own .codevf settings and look-alike names alone", () => {
    for (const p of ['.codevf/config.json', 'src/codevf/client.ts', 'docs/auth.json', 'codevf-auth.json', 'README.md'])
      expect(isSensitivePath(p), p).toBe(false);
  });

  it('still flags the other secret files and directories', () => {
    for (const p of ['.env', '.env.local', 'config/.aws/credentials', '.ssh/config', '.config/gcloud/x.json', '.npmrc'])
      expect(isSensitivePath(p), p).toBe(true);
  });

  it('flags Windows spellings: any case, backslashes (`.ENV` is `.env` there)', () => {
    for (const p of [
      '.ENV',
      '.Env.Local',
      'config\\.AWS\\credentials',
      'ID_RSA',
      'certs\\Server.PEM',
      'AppData\\Roaming\\CodeVF\\auth.json',
      'Users\\ada\\APPDATA\\roaming\\codevf\\auth.json',
      '.SSH\\config',
    ]) {
      expect(isSensitivePath(p), p).toBe(true);
    }
  });
});
