import type { OutputChunk } from '@codevf/protocol/shared';
import { useEffect, useRef } from 'react';
import { type AnsiSegment, type AnsiStream, createAnsiStream } from '../lib/ansiStream';
import { RedactedMark } from './RedactedMark';
import { UntrustedText } from './UntrustedText';

interface Rendered extends AnsiSegment {
  stream: OutputChunk['stream'];
}

interface Cache {
  source: readonly OutputChunk[] | null;
  count: number;
  flushed: boolean;
  streams: Record<OutputChunk['stream'], AnsiStream>;
  segments: Rendered[];
}

function newCache(): Cache {
  return {
    source: null,
    count: 0,
    flushed: false,
    streams: { stdout: createAnsiStream(), stderr: createAnsiStream() },
    segments: [],
  };
}

/**
 * Command output as it streams in, ANSI colours included. Chunks are parsed once each, as they
 * arrive (the array only grows while a command runs), so long outputs stay cheap to update.
 */
export function AnsiOutput({ chunks, done, label }: { chunks: readonly OutputChunk[]; done: boolean; label: string }) {
  const cache = useRef<Cache>(newCache());
  let c = cache.current;
  // A different (not grown) array: start over.
  if (c.count > chunks.length || (c.source !== null && c.count > 0 && c.source[0] !== chunks[0])) {
    c = cache.current = newCache();
  }
  if (c.count < chunks.length || (done && !c.flushed)) {
    const added: Rendered[] = [];
    for (let i = c.count; i < chunks.length; i++) {
      const chunk = chunks[i] as OutputChunk;
      for (const seg of c.streams[chunk.stream].push(chunk.data)) added.push({ ...seg, stream: chunk.stream });
    }
    if (done && !c.flushed) {
      for (const stream of ['stdout', 'stderr'] as const) {
        for (const seg of c.streams[stream].flush()) added.push({ ...seg, stream });
      }
      c.flushed = true;
    }
    c.count = chunks.length;
    c.source = chunks;
    c.segments = [...c.segments, ...added];
  }
  const segments = c.segments;

  const pre = useRef<HTMLElement>(null);
  const stick = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll after every new piece of output
  useEffect(() => {
    const el = pre.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [segments.length]);

  if (segments.length === 0) {
    return <p className="muted terminal-empty">{done ? 'No output.' : 'Waiting for output…'}</p>;
  }
  return (
    <section
      ref={pre}
      className="terminal"
      aria-label={label}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}
    >
      <pre>
        {segments.map((s, i) => {
          const cls = [s.className, s.stream === 'stderr' ? 'stream-stderr' : ''].filter(Boolean).join(' ');
          return s.redacted !== undefined ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: segments only ever grow at the end
            <RedactedMark key={i} text={s.text} className={cls} />
          ) : (
            // biome-ignore lint/suspicious/noArrayIndexKey: segments only ever grow at the end
            <span key={i} className={cls || undefined}>
              <UntrustedText text={s.text} keepNewlines />
            </span>
          );
        })}
      </pre>
    </section>
  );
}
