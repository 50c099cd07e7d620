/**
 * The web widget's status feed: which source it listens to (the pure choice), and its polling
 * side with an injected page visibility — a hidden tab sends no request, showing it checks at
 * once, a stopped feed is silent. (The socket side runs against a real server in the e2e and
 * integration tests.)
 */
import { QR_STATUS, type CheckData } from '../../shared';
import { QrLoginError } from '../../client/common/http';
import { initialChoice, nextChoice, pollsNow, type FeedChoice, type FeedNews } from '../../client/web/feed-choice';
import { StatusFeed, type PageVisibility } from '../../client/web/status-feed';

const R = 'randomRANDOMrandom_1234';
const INTERVAL = 800;

function follow(realtime: boolean, news: FeedNews[]): FeedChoice {
  return news.reduce(nextChoice, initialChoice(realtime));
}

test.each<[string, boolean, FeedNews[], FeedChoice]>([
  ['realtime off: polling from the start', false, [], { subscribed: false, polling: true }],
  ['socket opened: no polling during the grace period', true, [], { subscribed: false, polling: false }],
  ['no subscription within the grace period: polling', true, ['grace-over'], { subscribed: false, polling: true }],
  ['subscribed in time: the grace period ending changes nothing', true, ['subscribed', 'grace-over'], { subscribed: true, polling: false }],
  ['socket down before the grace period ends: polling at once', true, ['down'], { subscribed: false, polling: true }],
  ['subscribed after polling: polling stops', true, ['grace-over', 'subscribed'], { subscribed: true, polling: false }],
  ['down again after subscribing: polling again', true, ['subscribed', 'down'], { subscribed: false, polling: true }],
])('%s', (_name, realtime, news, expected) => {
  expect(follow(realtime, news)).toEqual(expected);
});

test('a polling tick asks only while the tab is visible', () => {
  const polling = { subscribed: false, polling: true };
  expect(pollsNow(polling, false)).toBe(true);
  expect(pollsNow(polling, true)).toBe(false);
  expect(pollsNow({ subscribed: true, polling: false }, false)).toBe(false);
});

/** A page whose visibility the test sets. */
function fakePage() {
  let hidden = false;
  const listeners = new Set<() => void>();
  const visibility: PageVisibility = {
    hidden: () => hidden,
    onShown(shown) {
      listeners.add(shown);
      return () => listeners.delete(shown);
    },
  };
  return {
    visibility,
    listening: () => listeners.size,
    hide: () => void (hidden = true),
    show: () => {
      hidden = false;
      for (const shown of listeners) shown();
    },
  };
}

function pollingFeed(check: () => Promise<CheckData>) {
  const page = fakePage();
  const heard: string[] = [];
  const feed = new StatusFeed(
    { check, connect: null, intervalMs: INTERVAL, visibility: page.visibility },
    {
      onState: (state, server) => heard.push(`state:${state.version}${server ? '+clock' : ''}`),
      onCheckFailed: (error) => heard.push(`failed:${(error as QrLoginError).code}`),
      onRefused: (code) => heard.push(`refused:${code}`),
    },
  );
  return { feed, page, heard };
}

describe('polling', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('asks each period while visible, none while hidden, at once when shown again', async () => {
    let version = 0;
    let checks = 0;
    const { feed, page, heard } = pollingFeed(() => {
      checks += 1;
      version += 1;
      return Promise.resolve({
        random: R,
        status: QR_STATUS.PENDING,
        ticket: null,
        userInfo: {},
        scannedUserId: null,
        expireAt: '',
        version,
      });
    });
    feed.start();
    await jest.advanceTimersByTimeAsync(INTERVAL - 1);
    expect(checks).toBe(0);
    await jest.advanceTimersByTimeAsync(1 + 2 * INTERVAL);
    expect(checks).toBe(3);
    expect(heard).toEqual(['state:1', 'state:2', 'state:3']);

    page.hide();
    await jest.advanceTimersByTimeAsync(5 * INTERVAL);
    expect(checks).toBe(3);

    page.show();
    await jest.advanceTimersByTimeAsync(0);
    expect(checks).toBe(4);
    await jest.advanceTimersByTimeAsync(INTERVAL);
    expect(checks).toBe(5);
  });

  test('a failed check is reported and polling goes on; a stopped feed asks and reports nothing', async () => {
    let checks = 0;
    const { feed, page, heard } = pollingFeed(() => {
      checks += 1;
      return Promise.reject(new QrLoginError(503, 'Unavailable'));
    });
    feed.start();
    await jest.advanceTimersByTimeAsync(2 * INTERVAL);
    expect(heard).toEqual(['failed:503', 'failed:503']);

    feed.stop();
    expect(page.listening()).toBe(0);
    page.show();
    await jest.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(checks).toBe(2);
    expect(heard).toHaveLength(2);
    expect(jest.getTimerCount()).toBe(0);
  });
});
