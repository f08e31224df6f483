/** The heartbeat checks a share of the sockets this often, so pings go out evenly, never in one burst. */
const HEARTBEAT_STEP_MS = 50;

/** What the heartbeat needs of a socket. */
export interface HeartbeatPeer {
  /** Drops the peer when silent for `timeoutMs`; pings it when quiet for `quietMs` (see LiveConnection). */
  heartbeat(now: number, timeoutMs: number, quietMs: number): void;
}

/**
 * Checks every socket of this instance once per ping period and pings the quiet ones, spread
 * over the period in small steps: a burst of thousands of pings (and the pongs they bring
 * back) would hold up every live message for tens of milliseconds. Its timer runs only while
 * there are sockets, so an idle server is not woken 20 times a second.
 */
export class Heartbeat<P extends HeartbeatPeer = HeartbeatPeer> {
  readonly peers = new Set<P>();
  /** A peer silent for this long is dropped; pings go out three times as often. */
  readonly timeoutMs: number;
  private timer: NodeJS.Timeout | null = null;
  private enabled = false;
  /** Sockets of the round in progress, and the round's next step. */
  private round: P[] = [];
  private roundStep = Number.POSITIVE_INFINITY;

  constructor(
    heartbeatSeconds: number,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.timeoutMs = Math.max(50, heartbeatSeconds * 1000);
  }

  /** How often each socket is checked (and pinged if it has been quiet). */
  get pingEveryMs(): number {
    return Math.max(20, Math.floor(this.timeoutMs / 3));
  }

  /** The heartbeat's step: every HEARTBEAT_STEP_MS, or four steps per period when that is shorter. */
  get stepMs(): number {
    return Math.min(HEARTBEAT_STEP_MS, this.pingEveryMs / 4);
  }

  /** Steps in one ping period. */
  get steps(): number {
    return Math.round(this.pingEveryMs / this.stepMs);
  }

  /** Whether the step timer is running. */
  get armed(): boolean {
    return this.timer !== null;
  }

  add(peer: P): void {
    this.peers.add(peer);
    this.arm();
  }

  delete(peer: P): void {
    this.peers.delete(peer);
    if (this.peers.size === 0) this.disarm();
  }

  /** From now on the timer runs whenever there are sockets. */
  start(): void {
    this.enabled = true;
    this.arm();
  }

  stop(): void {
    this.enabled = false;
    this.disarm();
  }

  /**
   * One step of the round: a round is `steps` steps over one ping period, each checking its
   * share of the sockets, so every socket is checked once per period.
   */
  step(): void {
    const steps = this.steps;
    if (this.roundStep >= steps) {
      this.round = [...this.peers];
      this.roundStep = 0;
    }
    const share = (k: number) => Math.floor((k * this.round.length) / steps);
    const from = share(this.roundStep);
    const to = share(++this.roundStep);
    const now = performance.now();
    for (let i = from; i < to; i++) this.round[i]?.heartbeat(now, this.timeoutMs, this.pingEveryMs / 2);
  }

  private arm(): void {
    if (!this.enabled || this.timer || this.peers.size === 0) return;
    this.timer = setInterval(() => {
      try {
        this.step();
      } catch (err) {
        this.onError(err);
      }
    }, this.stepMs);
    this.timer.unref();
  }

  private disarm(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    // The next socket starts a fresh round.
    this.roundStep = Number.POSITIVE_INFINITY;
    this.round = [];
  }
}
