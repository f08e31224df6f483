import { queueText } from '../ui/format';
import type { SessionClient } from './sessionConnection';
import { reasonOf, type SessionCore } from './sessionCore';

/**
 * `/human` typed in the chat: while the AI helps, asks the server for a human engineer
 * (`request_human`; the AI hands over and the `handoff` event tells the rest). Anywhere else it
 * says why there is nothing to ask for, and sends nothing: the words were meant for us.
 */
export function askForHuman(core: SessionCore, reason: string | undefined) {
  const s = core.state();
  const client = core.client;
  const refuse = (text: string) => {
    core.dispatch({ type: 'draft', text: '' });
    core.dispatch({ type: 'notice', text, tone: 'warn' });
  };
  if (!s.aiLeads || !client) {
    if (s.engineer?.kind === 'human' && s.status === 'active')
      return refuse('A human engineer is already helping you.');
    if (s.status === 'queued') {
      const where = s.queue ? queueText(s.queue.position, s.queue.estimatedWaitSeconds) : '';
      return refuse(`You are already waiting for a human engineer${where ? ` (${where})` : ''}.`);
    }
    return refuse('/human asks the AI to hand over to a person; the AI is not helping in this session now.');
  }
  if (s.humanAsked) return refuse('A human engineer was asked for already; the AI is handing over.');
  core.dispatch({ type: 'humanAsked', at: core.at() });
  void sendHumanRequest(core, client, reason);
}

/** The reason leaves this machine like a chat line does: secrets masked first. */
async function sendHumanRequest(core: SessionCore, client: SessionClient, reason?: string) {
  try {
    const safe = reason ? (await core.options.local.redactText(reason)).text : undefined;
    await client.send('request_human', safe ? { reason: safe } : {}).acked;
  } catch (err) {
    core.dispatch({ type: 'humanAskFailed', reason: reasonOf(err) });
  }
}
