import { useMemo, useState } from 'react';
import { highlightFile } from '../lib/highlight';
import { RedactedMark } from './RedactedMark';
import { UntrustedText } from './UntrustedText';

/** Lines rendered at first; a huge file would otherwise make the page sluggish. */
const INITIAL_LINES = 2000;

/** A file's content with syntax highlighting and line numbers (content rendered as text). */
export function CodeView({ content, path }: { content: string; path: string }) {
  const file = useMemo(() => highlightFile(content, path), [content, path]);
  const [all, setAll] = useState(false);
  const lines = all ? file.lines : file.lines.slice(0, INITIAL_LINES);
  return (
    <div className="code-view">
      <section
        className="code-scroll"
        aria-label={`Content of ${path}`}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        tabIndex={0}
      >
        <table className="code-table">
          <tbody>
            {lines.map((line, n) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: line numbers are the identity
              <tr key={n}>
                <td className="ln" aria-hidden="true">
                  {n + 1}
                </td>
                <td className={`code-line${file.language ? ' hljs' : ''}`}>
                  {line.map((t, i) =>
                    t.redacted !== undefined ? (
                      // biome-ignore lint/suspicious/noArrayIndexKey: tokens are positional
                      <RedactedMark key={i} text={t.text} />
                    ) : t.className ? (
                      // biome-ignore lint/suspicious/noArrayIndexKey: tokens are positional
                      <span key={i} className={t.className}>
                        <UntrustedText text={t.text} keepNewlines />
                      </span>
                    ) : (
                      // biome-ignore lint/suspicious/noArrayIndexKey: tokens are positional
                      <UntrustedText key={i} text={t.text} keepNewlines />
                    ),
                  )}
                  {line.length === 0 ? '\n' : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <p className="code-foot muted">
        {file.language ? `Highlighted as ${file.language}` : 'Plain text'} · {file.lines.length} lines
        {!all && file.lines.length > INITIAL_LINES ? (
          <>
            {' '}
            ·{' '}
            <button type="button" className="linkish" onClick={() => setAll(true)}>
              Show all {file.lines.length} lines
            </button>
          </>
        ) : null}
      </p>
    </div>
  );
}
