/**
 * The pure QR state machine (shared/state-machine.ts), table-driven: every stored status ×
 * every phone action × (the user who scanned | another user), before expiry and from expiry on.
 */
import { effectiveStatus, effectiveVersion, transition, type QrAction, type QrState } from '../../shared/state-machine';
import { QR_STATUS, type StoredQrStatus } from '../../shared/status';

const EXPIRE_AT = 1_700_000_120_000;
const SCANNER = 'user-alice';
const OTHER = 'user-bob';
const VERSION = 7;

type ActionType = QrAction['type'];
type Actor = 'scanner' | 'other';

const STATUSES: readonly StoredQrStatus[] = [0, 1, 2, 3];
const ACTIONS: readonly ActionType[] = ['scan', 'confirm', 'cancel'];
const ACTORS: readonly Actor[] = ['scanner', 'other'];

/** A state as the store would hold it: who scanned is known from status 1 on. */
function stateAt(status: StoredQrStatus): QrState {
  return {
    status,
    version: VERSION,
    expireAt: EXPIRE_AT,
    scannedUserId: status === QR_STATUS.PENDING ? null : SCANNER,
  };
}

const userOf = (actor: Actor) => (actor === 'scanner' ? SCANNER : OTHER);

type Expected =
  | { ok: true; changed: true; status: StoredQrStatus; scannedUserId: string | null }
  | { ok: true; changed: false }
  | { ok: false; error: 'QR_EXPIRED' | 'QR_INVALID_STATE' };

/** The expected outcome before expiry (PROTOCOL §3, phone side). */
function expectedBeforeExpiry(status: StoredQrStatus, action: ActionType, actor: Actor): Expected {
  const user = userOf(actor);
  switch (status) {
    case 0:
      // Nobody has scanned yet, so "the scanner" and "another user" are both just a user.
      if (action === 'scan') return { ok: true, changed: true, status: 1, scannedUserId: user };
      if (action === 'cancel') return { ok: true, changed: true, status: 3, scannedUserId: null };
      return { ok: false, error: 'QR_INVALID_STATE' };
    case 1:
      if (actor === 'other') return { ok: false, error: 'QR_INVALID_STATE' };
      if (action === 'scan') return { ok: true, changed: false };
      if (action === 'confirm') return { ok: true, changed: true, status: 2, scannedUserId: SCANNER };
      return { ok: true, changed: true, status: 3, scannedUserId: SCANNER };
    case 2:
    case 3:
      return { ok: false, error: 'QR_INVALID_STATE' };
  }
}

function expectedAtOrAfterExpiry(status: StoredQrStatus): Expected {
  return status === 0 || status === 1 ? { ok: false, error: 'QR_EXPIRED' } : { ok: false, error: 'QR_INVALID_STATE' };
}

interface Row {
  status: StoredQrStatus;
  action: ActionType;
  actor: Actor;
  now: number;
  expected: Expected;
}

function rowsAt(now: number, expect: (s: StoredQrStatus, a: ActionType, u: Actor) => Expected): Row[] {
  return STATUSES.flatMap((status) =>
    ACTIONS.flatMap((action) => ACTORS.map((actor) => ({ status, action, actor, now, expected: expect(status, action, actor) }))),
  );
}

function check(row: Row): void {
  const input = stateAt(row.status);
  const before = structuredClone(input);
  Object.freeze(input);
  const result = transition(input, { type: row.action, userId: userOf(row.actor) }, row.now);

  // The input is never mutated.
  expect(input).toStrictEqual(before);

  const { expected } = row;
  if (!expected.ok) {
    expect(result).toStrictEqual({ ok: false, error: expected.error, reason: expect.any(String) });
    if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
    return;
  }
  if (!result.ok) throw new Error(`expected ok, got ${result.error} (${result.reason})`);
  if (!expected.changed) {
    expect(result.changed).toBe(false);
    expect(result.state).toStrictEqual(before);
    return;
  }
  expect(result.changed).toBe(true);
  expect(result.state).toStrictEqual({
    status: expected.status,
    version: VERSION + 1,
    expireAt: EXPIRE_AT,
    scannedUserId: expected.scannedUserId,
  });
  expect(result.state).not.toBe(input);
}

const title = '$status + $action by $actor at now=$now';

describe('transition before expiry (now = expireAt - 1 ms)', () => {
  const rows = rowsAt(EXPIRE_AT - 1, expectedBeforeExpiry);
  it('covers all 4 × 3 × 2 combinations', () => {
    expect(rows).toHaveLength(24);
  });
  it.each(rows)(title, check);
});

describe('transition long before expiry', () => {
  it.each(rowsAt(EXPIRE_AT - 119_000, expectedBeforeExpiry))(title, check);
});

describe('transition from expiry on (now === expireAt)', () => {
  it.each(rowsAt(EXPIRE_AT, (status) => expectedAtOrAfterExpiry(status)))(title, check);
});

describe('transition well after expiry', () => {
  it.each(rowsAt(EXPIRE_AT + 3_600_000, (status) => expectedAtOrAfterExpiry(status)))(title, check);
});

describe('transition: the whole flow', () => {
  it('0 → scan → 1 → confirm → 2 bumps the version by one each step', () => {
    const now = EXPIRE_AT - 60_000;
    const s0: QrState = { status: 0, version: 0, expireAt: EXPIRE_AT, scannedUserId: null };
    const r1 = transition(s0, { type: 'scan', userId: SCANNER }, now);
    if (!r1.ok) throw new Error(r1.reason);
    expect(r1.state).toStrictEqual({ status: 1, version: 1, expireAt: EXPIRE_AT, scannedUserId: SCANNER });
    const r2 = transition(r1.state, { type: 'scan', userId: SCANNER }, now);
    if (!r2.ok) throw new Error(r2.reason);
    expect(r2.changed).toBe(false);
    expect(r2.state.version).toBe(1);
    const r3 = transition(r2.state, { type: 'confirm', userId: SCANNER }, now);
    if (!r3.ok) throw new Error(r3.reason);
    expect(r3.state).toStrictEqual({ status: 2, version: 2, expireAt: EXPIRE_AT, scannedUserId: SCANNER });
    const r4 = transition(r3.state, { type: 'cancel', userId: SCANNER }, now);
    expect(r4).toMatchObject({ ok: false, error: 'QR_INVALID_STATE' });
  });

  it('keeps the other fields of a larger session object', () => {
    const session = { ...stateAt(0), random: 'abcdefghijklmnop', appId: 'demo', ticket: null };
    const result = transition(session, { type: 'scan', userId: OTHER }, EXPIRE_AT - 1);
    if (!result.ok) throw new Error(result.reason);
    expect(result.state).toStrictEqual({
      random: 'abcdefghijklmnop',
      appId: 'demo',
      ticket: null,
      status: 1,
      version: VERSION + 1,
      expireAt: EXPIRE_AT,
      scannedUserId: OTHER,
    });
    expect(session.status).toBe(0);
    expect(session.scannedUserId).toBeNull();
  });
});

describe('effectiveStatus / effectiveVersion', () => {
  const offsets = [-60_000, -1, 0, 1, 86_400_000] as const;
  const rows = STATUSES.flatMap((status) => offsets.map((offset) => ({ status, offset })));

  it.each(rows)('status $status at expireAt $offset ms', ({ status, offset }) => {
    const state = stateAt(status);
    const now = EXPIRE_AT + offset;
    const expired = (status === 0 || status === 1) && offset >= 0;
    expect(effectiveStatus(state, now)).toBe(expired ? -1 : status);
    expect(effectiveVersion(state, now)).toBe(expired ? VERSION + 1 : VERSION);
    // Pure: reading does not change the state.
    expect(state).toStrictEqual(stateAt(status));
  });

  it('the expired version is the last stored version + 1, whatever that is', () => {
    const state: QrState = { status: 1, version: 41, expireAt: EXPIRE_AT, scannedUserId: SCANNER };
    expect(effectiveVersion(state, EXPIRE_AT - 1)).toBe(41);
    expect(effectiveVersion(state, EXPIRE_AT)).toBe(42);
  });
});
