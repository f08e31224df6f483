import { afterEach, vi } from 'vitest';

/**
 * The queue stream's boundary in a page test: the browser's EventSource replaced by one the test
 * plays the server on. `emit` delivers a named event; `fail` closes it as a refused stream does.
 */
export class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static sources: FakeEventSource[] = [];
  readyState = FakeEventSource.OPEN;
  onerror: ((ev: unknown) => void) | null = null;
  private readonly handlers = new Map<string, ((ev: MessageEvent) => void)[]>();

  constructor(readonly url: string) {
    FakeEventSource.sources.push(this);
  }

  addEventListener(type: string, fn: (ev: MessageEvent) => void) {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), fn]);
  }

  close() {
    this.readyState = FakeEventSource.CLOSED;
  }

  emit(type: string, data: unknown) {
    for (const fn of this.handlers.get(type) ?? []) fn(new MessageEvent(type, { data: JSON.stringify(data) }));
  }

  fail() {
    this.readyState = FakeEventSource.CLOSED;
    this.onerror?.({});
  }
}

/** Installs the fake as `EventSource`; returns the list of streams the page opened. */
export function fakeEventSource(): FakeEventSource[] {
  FakeEventSource.sources = [];
  vi.stubGlobal('EventSource', FakeEventSource);
  return FakeEventSource.sources;
}

afterEach(() => {
  vi.unstubAllGlobals();
});
