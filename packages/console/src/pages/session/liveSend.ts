import type { useLiveSession } from '../../live/useLiveSession';

/** Sends one message on the live session; every session form takes it from the page. */
export type LiveSend = ReturnType<typeof useLiveSession>['send'];
