/**
 * Fan-out of "task X has persisted events up to seq N" between server instances.
 *
 * The bus never carries the events themselves: subscribers read them from the database, where
 * their order was decided. A lost or late bus message therefore delays delivery only until the
 * next message (or the periodic resync), and never reorders or drops an event.
 */
export interface Bus {
  /**
   * Tells every subscriber (on every instance) that `taskId` has events up to `seq`. A promise
   * when the message leaves the process (it rejects if it could not be sent); the in-process
   * bus delivers synchronously and returns nothing, so that the relay's hot path pays for no
   * promise there.
   */
  publish(taskId: string, seq: number): Promise<void> | undefined;
  /** Calls `onSeq` for every publish on this task, from any instance. Returns the unsubscribe. */
  subscribe(taskId: string, onSeq: (seq: number) => void): () => void;
  /**
   * Resolves once the subscription for `taskId` is live (Redis acknowledged SUBSCRIBE). A reader
   * that subscribes, awaits this and only then reads the database cannot miss an event.
   */
  subscribed(taskId: string): Promise<void>;
  /**
   * Tells every instance that the access of `userId` changed (a login revoked, a console
   * session ended, the account disabled or its role changed). Like a task's seq, it is only a
   * hint: each instance re-reads that user's access from the database for its own sockets.
   */
  publishAccessChange(userId: string): Promise<void> | undefined;
  /** Calls `onUser` for every access change, from any instance. Returns the unsubscribe. */
  subscribeAccessChanges(onUser: (userId: string) => void): () => void;
  /**
   * Tells every instance that the engineers' queue changed (a task queued, claimed, ended or
   * handed back). A hint like the others: each instance re-reads the queue from the database.
   */
  publishQueueChange(): Promise<void> | undefined;
  /** Calls `onChange` for every queue change, from any instance. Returns the unsubscribe. */
  subscribeQueueChanges(onChange: () => void): () => void;
  /** Resolves once queue changes from other instances are heard (Redis acknowledged SUBSCRIBE). */
  queueSubscribed(): Promise<void>;
  /** Throws when the bus backend is unreachable (readiness probe). */
  ping(): Promise<void>;
  close(): Promise<void>;
  readonly kind: 'memory' | 'redis';
}
