import type { SessionView } from '@codevf/protocol/shared';
import { Notice } from '../../components/Notice';
import { Link } from '../../router/router';

/** What a guide can do now: steer the AI while it leads, and what happened once it left. */
export function GuideNotice({ state, guiding }: { state: SessionView; guiding: boolean }) {
  if (guiding) {
    return (
      <Notice tone="info" title="You are guiding the AI">
        The AI leads this session. What you write goes to the AI as instructions, and the customer sees it too. Take
        over to work the session yourself.
      </Notice>
    );
  }
  if (state.handoff?.reason === 'engineer_took_over') {
    return (
      <Notice tone="info" title="Another engineer took over">
        The AI has left this session, so there is nothing left to guide.{' '}
        <Link href="/ai-sessions">Back to AI sessions</Link>
      </Notice>
    );
  }
  if (state.handoff) {
    return (
      <Notice tone="info" title="The AI handed this task over">
        It is back in the queue for a human engineer. <Link href="/queue">Claim it from the queue</Link> to help.
      </Notice>
    );
  }
  return null;
}
