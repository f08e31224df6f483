import type { Role } from '@codevf/protocol';
import type { SessionView, TimelineItem } from '@codevf/protocol/shared';
import { splitRedactions } from '@codevf/protocol/shared';
import { formatClock, plural } from '../lib/format';
import { parseWebLink } from '../lib/webLink';
import { RedactedMark } from './RedactedMark';
import { RequestCard } from './RequestCard';
import { UntrustedText } from './UntrustedText';

function MessageText({ text }: { text: string }) {
  return (
    <>
      {splitRedactions(text).map((p, i) =>
        p.redacted !== undefined ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: positional parts of one message
          <RedactedMark key={i} text={p.text} />
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: positional parts of one message
          <UntrustedText key={i} text={p.text} keepNewlines />
        ),
      )}
    </>
  );
}

/** The session as it happened: chat, notices, links and request cards, in event order. */
export function Timeline({ state, viewer, now }: { state: SessionView; viewer: Role; now: number }) {
  if (state.items.length === 0) {
    return <p className="muted timeline-empty">Nothing has happened in this session yet.</p>;
  }
  const engineerName = state.engineer?.name ?? 'Engineer';
  const nameOf = (item: Extract<TimelineItem, { kind: 'message' }>) => {
    if (item.from === 'engineer') return viewer === 'engineer' ? 'You' : engineerName;
    return viewer === 'customer' ? 'You' : 'Customer';
  };
  return (
    <ol className="timeline" aria-label="Session timeline">
      {state.items.map((item) => {
        switch (item.kind) {
          case 'message':
            return (
              <li key={item.seq} className={`msg msg-${item.from}${nameOf(item) === 'You' ? ' msg-own' : ''}`}>
                <div className="msg-head">
                  <span className="msg-who">
                    <UntrustedText text={nameOf(item)} />
                  </span>
                  <time dateTime={item.at}>{formatClock(item.at)}</time>
                </div>
                <p className="msg-text">
                  <MessageText text={item.text} />
                </p>
                {item.redactions ? (
                  <p className="msg-note">{plural(item.redactions, 'value')} redacted by the customer's side</p>
                ) : null}
              </li>
            );
          case 'notice':
            return (
              <li key={item.seq} className={`timeline-notice tone-${item.tone}`}>
                <span>
                  <UntrustedText text={item.text} />
                </span>{' '}
                <time dateTime={item.at}>{formatClock(item.at)}</time>
              </li>
            );
          case 'screenshare': {
            const link = parseWebLink(item.url);
            const href = 'href' in link ? link.href : null;
            const url = <UntrustedText text={item.url} />;
            return (
              <li key={item.seq} className="timeline-notice tone-info">
                <span>Screenshare link shared: </span>
                {href ? (
                  <a href={href} target="_blank" rel="noopener noreferrer">
                    {url}
                  </a>
                ) : (
                  <code>{url}</code>
                )}{' '}
                <time dateTime={item.at}>{formatClock(item.at)}</time>
              </li>
            );
          }
          case 'request': {
            const r = state.requests[item.requestId];
            return r ? (
              <li key={item.seq} className="timeline-request">
                <RequestCard request={r} now={now} />
              </li>
            ) : null;
          }
          default:
            return null;
        }
      })}
    </ol>
  );
}
