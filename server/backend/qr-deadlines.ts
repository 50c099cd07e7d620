/**
 * @module
 * The deadlines of QR codes, so that every QR that passes its deadline undecided is noticed
 * once, whoever watched it (a socket, a poller, nobody): the expiry sweep
 * (server/services/expiry-sweep.ts) takes the due ones and tells `qr.expired` for those still
 * undecided. Implemented in this process (./memory/qr-deadlines.ts, memory and embedded
 * backends) and in Redis (shared by the instances: ./redis/qr-deadlines.ts), checked by one
 * suite (tests/contract/qr-deadlines.contract.ts).
 */

export interface QrDeadlines {
  /** Notes that the QR `random` reaches its deadline at `expireAt` (epoch ms); noted again, the later call's time holds. */
  add(random: string, expireAt: number): Promise<void>;
  /**
   * Takes at most `max` QRs whose deadline has come (by the owner's clock), earliest first, and
   * forgets them: of any number of concurrent calls (on any instance sharing the deadlines), each
   * QR goes to one only.
   */
  takeDue(max: number): Promise<string[]>;
}
