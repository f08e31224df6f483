// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { matchPath, navigate, safeLocalPath } from './router';

describe('matchPath', () => {
  it('matches static and parameterised segments', () => {
    expect(matchPath('/queue', '/queue')).toEqual({});
    expect(matchPath('/queue', '/queue/')).toEqual({});
    expect(matchPath('/tasks/:id', '/tasks/abc%20def')).toEqual({ id: 'abc def' });
    expect(matchPath('/tasks/:id/live', '/tasks/t1/live')).toEqual({ id: 't1' });
  });

  it('rejects other paths and undecodable params', () => {
    expect(matchPath('/tasks/:id', '/tasks')).toBeNull();
    expect(matchPath('/tasks/:id', '/tasks/a/b')).toBeNull();
    expect(matchPath('/queue', '/queues')).toBeNull();
    expect(matchPath('/tasks/:id', '/tasks/%E0%A4%A')).toBeNull();
  });
});

describe('safeLocalPath', () => {
  it('keeps same-origin paths and refuses anything that leaves the site', () => {
    expect(safeLocalPath('/device?user_code=BCDF-GHJK')).toBe('/device?user_code=BCDF-GHJK');
    expect(safeLocalPath('https://evil.example/')).toBe('/');
    expect(safeLocalPath('//evil.example/')).toBe('/');
    expect(safeLocalPath('/\\evil.example')).toBe('/');
    expect(safeLocalPath('javascript:alert(1)')).toBe('/');
    expect(safeLocalPath(null, '/queue')).toBe('/queue');
  });

  it('navigate never leaves the origin', () => {
    navigate('/tasks');
    expect(window.location.pathname).toBe('/tasks');
    navigate('//evil.example/x');
    expect(window.location.pathname).toBe('/');
    expect(window.location.host).toBe('localhost:3000');
  });
});
