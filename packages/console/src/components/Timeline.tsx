import type { Role } from '@codevf/protocol';
import type { SessionView, TimelineItem } from '@codevf/protocol/shared';
import { formatClock, plural } from '../lib/format';
import { parseWebLink } from '../lib/webLink';
import { MessageText } from './MessageText';
import { RequestCard } from './RequestCard';
import { UntrustedText } from './UntrustedText';

/**
 * Who reads the timeline: the task's customer or engineer (their own lines read "You"), an
 * admin, or `guide` — an engineer who is not the task's engineer (guiding its AI, or reading
 * the transcript of a task someone else took over), for whom no engineer line is their own.
 */
export type TimelineViewer = Role | 'guide';

type Message = Extract<TimelineItem, { kind: 'message' }>;

interface Who {
  name: string;
  own: boolean;
  /** The AI's lines and the guides' lines are told apart from the humans' at a glance. */
  kind: 'ai' | 'human';
  tag: string | null;
}

/** Who wrote a line, as this viewer reads it. */
export function whoWrote(item: Message, viewer: TimelineViewer, engineerName: string): Who {
  if (item.from === 'customer') {
    const own = viewer === 'customer';
    return { name: own ? 'You' : 'Customer', own, kind: 'human', tag: null };
  }
  if (item.from === 'guide') {
    return { name: item.speaker?.name ?? 'An engineer', own: false, kind: 'human', tag: 'guiding the AI' };
  }
  if (item.speaker?.kind === 'ai') return { name: item.speaker.name, own: false, kind: 'ai', tag: 'AI' };
  const own = viewer === 'engineer';
  return { name: own ? 'You' : (item.speaker?.name ?? engineerName), own, kind: 'human', tag: null };
}

/** The session as it happened: chat, notices, links and request cards, in event order. */
export function Timeline({ state, viewer, now }: { state: SessionView; viewer: TimelineViewer; now: number }) {
  if (state.items.length === 0) {
    return <p className="muted timeline-empty">Nothing has happened in this session yet.</p>;
  }
  const engineerName = state.engineer?.name ?? 'Engineer';
  return (
    <ol className="timeline" aria-label="Session timeline">
      {state.items.map((item) => {
        switch (item.kind) {
          case 'message': {
            const who = whoWrote(item, viewer, engineerName);
            return (
              <li
                key={item.seq}
                className={`msg msg-${item.from}${who.kind === 'ai' ? ' msg-ai' : ''}${who.own ? ' msg-own' : ''}`}
                data-speaker={who.kind}
              >
                <div className="msg-head">
                  <span className="msg-who">
                    <UntrustedText text={who.name} />
                  </span>
                  {who.tag ? (
                    <span className={`speaker-tag speaker-${item.from === 'guide' ? 'guide' : 'ai'}`}>{who.tag}</span>
                  ) : null}
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
          }
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
                <RequestCard request={r} now={now} forCustomer={viewer === 'customer'} />
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
