import { resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { isFatalClose } from '../src/shared/closeCodes';
import { codeForStatus } from '../src/shared/statusCodes';

describe('@codevf/protocol/shared', () => {
  it('loads no zod (the browser and the CLI fast paths import it)', async () => {
    const result = await build({
      entryPoints: [resolve(__dirname, '../src/shared/index.ts')],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'neutral',
      format: 'esm',
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.length).toBeGreaterThan(5);
    expect(inputs.filter((i) => !i.includes('src/shared/') && !i.endsWith('src/errors.ts'))).toEqual([]);
  });

  it('maps statuses without a known code to the code the server would have sent', () => {
    expect([401, 402, 403, 404, 409, 413, 429, 502, 503, 504, 400, 422, 500].map(codeForStatus)).toEqual([
      'E_UNAUTHORIZED',
      'E_INSUFFICIENT_CREDITS',
      'E_FORBIDDEN',
      'E_NOT_FOUND',
      'E_CONFLICT',
      'E_TOO_LARGE',
      'E_RATE_LIMITED',
      'E_UNREACHABLE',
      'E_UNREACHABLE',
      'E_TIMEOUT',
      'E_VALIDATION',
      'E_VALIDATION',
      'E_INTERNAL',
    ]);
  });

  it('treats only the close codes after which a reconnect cannot help as fatal', () => {
    expect([1000, 1001, 1002, 1006, 1008, 1009, 1011, 1013, 4001, 4003].filter(isFatalClose)).toEqual([
      1002, 1008, 1009, 4001, 4003,
    ]);
  });
});
