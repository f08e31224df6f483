/** Lets the event loop read the sockets that are ready before a long job goes on. */
export const yieldToIo = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
