/**
 * The web widget's pure reducer: stale versions are ignored, the first terminal state wins
 * once, a status-2 snapshot carries its ticket, and reports for other QR codes are dropped.
 */
import { QR_STATUS } from '../../shared';
import {
  SCAN_STATUSES,
  createdScanState,
  errorScanState,
  initialScanState,
  isFinalScanStatus,
  reduceScanState,
  scanStatusOf,
  type IncomingState,
  type ScanState,
  type ScanStatus,
} from '../../client/web/scan-state';

const R = 'randomRANDOMrandom_1234';
const OTHER = 'otherOTHERother_5678';

function at(status: ScanStatus, version: number, ticket: string | null = null): ScanState {
  return { random: R, status, version, ticket, userInfo: {} };
}

interface Row {
  name: string;
  from: ScanState;
  incoming: IncomingState;
  /** `null`: the state must come back unchanged (the same object). */
  expect: Partial<ScanState> | null;
}

const rows: Row[] = [
  // fresh QR (version -1) takes the first snapshot, whatever its version
  {
    name: 'first snapshot pending',
    from: createdScanState(R),
    incoming: { random: R, status: QR_STATUS.PENDING, version: 0 },
    expect: { status: 'pending', version: 0 },
  },
  {
    name: 'first snapshot scanned',
    from: createdScanState(R),
    incoming: { random: R, status: QR_STATUS.SCANNED, version: 1 },
    expect: { status: 'scanned', version: 1 },
  },
  {
    name: 'snapshot at status 2 carries the ticket',
    from: createdScanState(R),
    incoming: { random: R, status: QR_STATUS.CONFIRMED, version: 2, ticket: 'T1' },
    expect: { status: 'confirmed', version: 2, ticket: 'T1' },
  },
  {
    name: 'status 2 without a ticket is ignored',
    from: at('scanned', 1),
    incoming: { random: R, status: QR_STATUS.CONFIRMED, version: 2, ticket: null },
    expect: null,
  },
  {
    name: 'status 2 with an empty ticket is ignored',
    from: at('scanned', 1),
    incoming: { random: R, status: QR_STATUS.CONFIRMED, version: 2, ticket: '' },
    expect: null,
  },
  // normal pushes
  {
    name: 'push scanned',
    from: at('pending', 0),
    incoming: { random: R, status: QR_STATUS.SCANNED, version: 1, userInfo: { nickname: 'Ann' } },
    expect: { status: 'scanned', version: 1, userInfo: { nickname: 'Ann' } },
  },
  {
    name: 'push confirmed',
    from: at('scanned', 1),
    incoming: { random: R, status: QR_STATUS.CONFIRMED, version: 2, ticket: 'T2' },
    expect: { status: 'confirmed', ticket: 'T2' },
  },
  {
    name: 'push cancelled from pending',
    from: at('pending', 0),
    incoming: { random: R, status: QR_STATUS.CANCELLED, version: 1 },
    expect: { status: 'cancelled', version: 1, ticket: null },
  },
  {
    name: 'push expired',
    from: at('scanned', 1),
    incoming: { random: R, status: QR_STATUS.EXPIRED, version: 2 },
    expect: { status: 'expired', version: 2 },
  },
  {
    name: 'a ticket on a non-confirmed status is dropped',
    from: at('pending', 0),
    incoming: { random: R, status: QR_STATUS.SCANNED, version: 1, ticket: 'X' },
    expect: { status: 'scanned', ticket: null },
  },
  {
    name: 'no random in the report (check answer) applies',
    from: at('pending', 0),
    incoming: { status: QR_STATUS.SCANNED, version: 1 },
    expect: { status: 'scanned' },
  },
  {
    name: 'a version may jump (a missed push)',
    from: at('pending', 0),
    incoming: { random: R, status: QR_STATUS.CONFIRMED, version: 2, ticket: 'T' },
    expect: { status: 'confirmed', version: 2 },
  },
  // stale / out of order
  { name: 'same version ignored', from: at('scanned', 1), incoming: { random: R, status: QR_STATUS.SCANNED, version: 1 }, expect: null },
  {
    name: 'older version ignored (late pending poll after scanned)',
    from: at('scanned', 1),
    incoming: { random: R, status: QR_STATUS.PENDING, version: 0 },
    expect: null,
  },
  {
    name: 'older cancelled ignored',
    from: at('scanned', 3),
    incoming: { random: R, status: QR_STATUS.CANCELLED, version: 2 },
    expect: null,
  },
  {
    name: 'non-integer version ignored',
    from: at('pending', 0),
    incoming: { random: R, status: QR_STATUS.SCANNED, version: 1.5 },
    expect: null,
  },
  {
    name: 'NaN version ignored',
    from: at('pending', 0),
    incoming: { random: R, status: QR_STATUS.SCANNED, version: Number.NaN },
    expect: null,
  },
  // other QR codes, unknown statuses, no QR yet
  {
    name: 'other random ignored',
    from: at('pending', 0),
    incoming: { random: OTHER, status: QR_STATUS.CONFIRMED, version: 5, ticket: 'T' },
    expect: null,
  },
  { name: 'unknown status ignored', from: at('pending', 0), incoming: { random: R, status: 7, version: 1 }, expect: null },
  {
    name: 'loading (no QR yet) ignores everything',
    from: initialScanState(),
    incoming: { status: QR_STATUS.SCANNED, version: 1 },
    expect: null,
  },
  // terminal wins once
  {
    name: 'confirmed then expired: confirmed stays',
    from: at('confirmed', 2, 'T'),
    incoming: { random: R, status: QR_STATUS.EXPIRED, version: 3 },
    expect: null,
  },
  {
    name: 'confirmed then a second confirmed: ignored',
    from: at('confirmed', 2, 'T'),
    incoming: { random: R, status: QR_STATUS.CONFIRMED, version: 9, ticket: 'T9' },
    expect: null,
  },
  {
    name: 'cancelled then confirmed: cancelled stays',
    from: at('cancelled', 2),
    incoming: { random: R, status: QR_STATUS.CONFIRMED, version: 3, ticket: 'T' },
    expect: null,
  },
  {
    name: 'expired then scanned: expired stays',
    from: at('expired', 1),
    incoming: { random: R, status: QR_STATUS.SCANNED, version: 2 },
    expect: null,
  },
  {
    name: 'error ignores everything',
    from: at('error', 0),
    incoming: { random: R, status: QR_STATUS.CONFIRMED, version: 4, ticket: 'T' },
    expect: null,
  },
];

describe('reduceScanState', () => {
  test.each(rows)('$name', ({ from, incoming, expect: expected }) => {
    const next = reduceScanState(from, incoming);
    if (expected === null) {
      expect(next).toBe(from);
    } else {
      expect(next).not.toBe(from);
      expect(next).toMatchObject(expected);
      expect(next.random).toBe(R);
    }
    expect(SCAN_STATUSES).toContain(next.status);
  });

  test('does not mutate its input', () => {
    const from = at('pending', 0);
    const copy = structuredClone(from);
    reduceScanState(from, { random: R, status: QR_STATUS.SCANNED, version: 1 });
    expect(from).toEqual(copy);
  });

  test('a shuffled stream applies at most one terminal state, the first that arrives in order', () => {
    // pushes and polls racing: scanned(1) confirmed(2) and stale/late reports around them
    const stream: IncomingState[] = [
      { random: R, status: QR_STATUS.PENDING, version: 0 },
      { random: R, status: QR_STATUS.SCANNED, version: 1 },
      { random: R, status: QR_STATUS.PENDING, version: 0 }, // late poll
      { random: R, status: QR_STATUS.CONFIRMED, version: 2, ticket: 'T' },
      { random: R, status: QR_STATUS.SCANNED, version: 1 }, // late push
      { random: R, status: QR_STATUS.CONFIRMED, version: 2, ticket: 'T' }, // duplicate (poll + push)
      { random: R, status: QR_STATUS.EXPIRED, version: 3 }, // local timer after the fact
    ];
    let state = createdScanState(R);
    const applied: ScanStatus[] = [];
    for (const incoming of stream) {
      const next = reduceScanState(state, incoming);
      if (next !== state && next.status !== state.status) applied.push(next.status);
      state = next;
    }
    expect(applied).toEqual(['scanned', 'confirmed']);
    expect(state).toMatchObject({ status: 'confirmed', version: 2, ticket: 'T' });
    expect(applied.filter(isFinalScanStatus)).toHaveLength(1);
  });
});

describe('helpers', () => {
  test.each([
    [QR_STATUS.PENDING, 'pending'],
    [QR_STATUS.SCANNED, 'scanned'],
    [QR_STATUS.CONFIRMED, 'confirmed'],
    [QR_STATUS.CANCELLED, 'cancelled'],
    [QR_STATUS.EXPIRED, 'expired'],
    [42, null],
  ] as const)('scanStatusOf(%p) = %p', (wire, name) => {
    expect(scanStatusOf(wire)).toBe(name);
  });

  test('initial and created states', () => {
    expect(initialScanState()).toEqual({ random: null, status: 'loading', version: -1, ticket: null, userInfo: {} });
    expect(createdScanState(R)).toMatchObject({ random: R, status: 'pending', version: -1 });
  });

  test('errorScanState is terminal and drops the ticket', () => {
    const failed = errorScanState(at('confirmed', 2, 'T'));
    expect(failed).toMatchObject({ status: 'error', ticket: null });
    expect(isFinalScanStatus(failed.status)).toBe(true);
    const again = errorScanState(failed);
    expect(again).toBe(failed);
  });

  test('the statuses are exactly those of PROTOCOL §6', () => {
    expect([...SCAN_STATUSES].sort()).toEqual(['cancelled', 'confirmed', 'error', 'expired', 'loading', 'pending', 'scanned'].sort());
    expect(isFinalScanStatus('pending')).toBe(false);
    expect(isFinalScanStatus('scanned')).toBe(false);
  });
});
