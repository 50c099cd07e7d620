/**
 * @module
 * The controller behind `startScanning`: one widget in one container, running one
 * {@link ScanCycle} at a time over one socket ({@link RealtimeChannel}) for all its QRs. Start, refresh and the widget's own refresh / retry button
 * dispose of the current cycle and begin a new one; stop disposes of it and leaves the page
 * as it is.
 *
 * The parts: `scan-cycle.ts` (one QR, from creation to a final state), `status-feed.ts`
 * (socket and polling as one stream), `expiry-watch.ts` (the local deadline),
 * `scan-presenter.ts` (state → `WidgetView` and callbacks), `scan-state.ts` (the reducer).
 */
import { RealtimeChannel } from './realtime';
import { ScanCycle, type ScanApi } from './scan-cycle';
import { ScanPresenter } from './scan-presenter';
import type { ScanHandle, StartScanningOptions } from './types';

/** Polling period (ms) while the socket is down, when `interval` is not given. */
const DEFAULT_INTERVAL_MS = 800;

/** One `startScanning` widget; {@link handle} is what the caller gets. */
export class ScanSession {
  private readonly presenter: ScanPresenter;
  private readonly interval: number;
  private cycle: ScanCycle | null = null;
  /** One socket for every QR of this widget (none when realtime is off). */
  private readonly channel: RealtimeChannel | null;

  constructor(
    private readonly api: ScanApi,
    container: HTMLElement,
    private readonly options: StartScanningOptions,
  ) {
    this.interval = options.interval && options.interval > 0 ? options.interval : DEFAULT_INTERVAL_MS;
    this.presenter = new ScanPresenter(container, options, api.lang, () => this.start());
    this.channel = api.realtime ? new RealtimeChannel(api.host) : null;
  }

  /** The caller's `{stop, refresh}`. */
  get handle(): ScanHandle {
    return { stop: () => this.stop(), refresh: () => this.start() };
  }

  /** Starts a new QR cycle (also what refresh and the buttons do). */
  start(): void {
    this.cycle?.dispose();
    this.cycle = new ScanCycle(this.api, this.options, this.presenter, this.interval, this.channel);
    this.cycle.run();
  }

  /** Closes the socket and clears every timer; the widget stays as it is. */
  stop(): void {
    this.cycle?.dispose();
    this.cycle = null;
    this.channel?.close();
    this.presenter.dispose();
  }
}
