/**
 * @module
 * Follows a widget's `data-qrlogin-status` (PROTOCOL §6) from outside the SDK: every value the
 * container takes, in order, once each, as `<qr-login>` and `@qrlogin/react` report it.
 */
import { SCAN_STATUSES, type ScanStatus } from './scan-state';
import { STATUS_ATTRIBUTE } from './widget-view';

/** What {@link watchScanStatus} returns. */
export interface ScanStatusWatch {
  /**
   * Reports now the changes not reported yet (a mutation observer reports them a moment
   * later): call it before acting on a callback of the widget, so the status comes first.
   */
  flush(): void;
  /** Stops watching (pending changes are dropped). */
  disconnect(): void;
}

function isScanStatus(value: string | null): value is ScanStatus {
  return value !== null && (SCAN_STATUSES as readonly string[]).includes(value);
}

/**
 * Calls `onStatus` with each new value of `container`'s `data-qrlogin-status` (`loading`,
 * `pending`, `scanned`, `confirmed`, `cancelled`, `expired`, `error`), skipping repeats. The
 * value at the time of the call counts as seen (it is not reported).
 */
export function watchScanStatus(container: Element, onStatus: (status: ScanStatus) => void): ScanStatusWatch {
  let last = container.getAttribute(STATUS_ATTRIBUTE);
  const report = (value: string | null) => {
    if (value === last || !isScanStatus(value)) return;
    last = value;
    onStatus(value);
  };
  const take = (records: MutationRecord[]) => {
    // Each record holds the value before its change: the value after it is the next
    // record's old value, and the last one's is the attribute as it is now.
    records.forEach((_record, index) => {
      const next = records[index + 1];
      report(next ? next.oldValue : container.getAttribute(STATUS_ATTRIBUTE));
    });
  };
  const observer = new MutationObserver(take);
  observer.observe(container, { attributes: true, attributeFilter: [STATUS_ATTRIBUTE], attributeOldValue: true });
  return {
    flush: () => take(observer.takeRecords()),
    disconnect: () => observer.disconnect(),
  };
}
