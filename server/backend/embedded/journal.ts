/**
 * @module
 * The embedded store's write-ahead journal: each change to a QR session or ticket is one
 * `write()` of JSON lines appended to `journal-<n>.log` before it is answered. A single write
 * reaches the operating system whole or not at all, so a process killed at any moment loses
 * nothing it answered; LMDB receives the changes in batches afterwards (checkpoints), and a
 * journal file is deleted once its changes are committed there. On open, the files left by a
 * process that was killed are read back in order. A line that is not a well-formed entry (a
 * write torn by a power cut, a damaged disk) is skipped and counted, never trusted: the service
 * still starts, with every good line, and the file is kept aside as `….bad`.
 */
import { closeSync, fdatasync, ftruncateSync, fstatSync, openSync, readFileSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { QrSession, TicketRecord } from '../../domain/qr-session';

export type JournalEntry =
  { op: 'session'; session: QrSession } | { op: 'ticket'; hash: string; record: TicketRecord } | { op: 'take'; hash: string };

/**
 * The JSON line of an entry, built around the value's JSON text (`valueText`, the session's or
 * the ticket's), which the store keeps too: each value is serialized once.
 */
export function journalLine(entry: JournalEntry, valueText?: string): string {
  if (entry.op === 'session') return `{"op":"session","session":${valueText ?? JSON.stringify(entry.session)}}`;
  if (entry.op === 'ticket')
    return `{"op":"ticket","hash":${JSON.stringify(entry.hash)},"record":${valueText ?? JSON.stringify(entry.record)}}`;
  return JSON.stringify(entry);
}

const FILE = /^journal-(\d{12})\.log$/;
const fileName = (sequence: number) => `journal-${String(sequence).padStart(12, '0')}.log`;

/** The journal files in `dir`, oldest first. */
function journalFiles(dir: string): { name: string; sequence: number }[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const match = FILE.exec(name);
      return match?.[1] ? [{ name, sequence: Number(match[1]) }] : [];
    })
    .sort((a, b) => a.sequence - b.sequence);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Whether `value` is an entry this code wrote: the fields replay and checkpoints rely on. */
export function isJournalEntry(value: unknown): value is JournalEntry {
  if (!isObject(value)) return false;
  if (value.op === 'take') return typeof value.hash === 'string';
  if (value.op === 'ticket') {
    const record = value.record;
    return typeof value.hash === 'string' && isObject(record) && typeof record.random === 'string' && typeof record.expireAt === 'number';
  }
  if (value.op === 'session') {
    const session = value.session;
    return (
      isObject(session) &&
      typeof session.random === 'string' &&
      typeof session.version === 'number' &&
      typeof session.retainUntil === 'number'
    );
  }
  return false;
}

export interface JournalContents {
  entries: JournalEntry[];
  /** The files read, oldest first. */
  files: string[];
  /** Files with lines that were skipped (not well-formed entries). */
  damaged: string[];
  skipped: number;
}

/** Every well-formed entry the journal files in `dir` hold, in order. */
export function readJournal(dir: string): JournalContents {
  const contents: JournalContents = { entries: [], files: [], damaged: [], skipped: 0 };
  for (const { name } of journalFiles(dir)) {
    const path = join(dir, name);
    contents.files.push(path);
    const lines = readFileSync(path, 'utf8').split('\n');
    let skipped = 0;
    for (const [index, line] of lines.entries()) {
      if (line === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = undefined;
      }
      if (isJournalEntry(parsed)) contents.entries.push(parsed);
      // The last line alone may be torn by a power cut: that is expected, not damage.
      else if (index < lines.length - 1) skipped += 1;
    }
    if (skipped > 0) contents.damaged.push(path);
    contents.skipped += skipped;
  }
  return contents;
}

export class Journal {
  #fd: number;
  #sequence: number;
  #path: string;
  #size = 0;

  constructor(private readonly dir: string) {
    this.#sequence = (journalFiles(dir).at(-1)?.sequence ?? 0) + 1;
    this.#path = join(dir, fileName(this.#sequence));
    this.#fd = openSync(this.#path, 'a', 0o600);
    this.#size = fstatSync(this.#fd).size;
  }

  /**
   * Appends entries, given as their JSON lines (see {@link journalLine}), in one write; throws
   * (and nothing is answered) when the disk refuses it.
   */
  append(lines: readonly string[]): void {
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    let written = 0;
    try {
      written = writeSync(this.#fd, bytes);
    } finally {
      // A short write (a full disk) must leave no fragment for the next line to merge into.
      if (written !== bytes.length) ftruncateSync(this.#fd, this.#size);
    }
    if (written !== bytes.length) throw new Error(`journal write incomplete (${written} of ${bytes.length} bytes)`);
    this.#size += written;
  }

  /** Starts a new file; the path of the one before it, to delete once its changes are in LMDB. */
  rotate(): string {
    const previous = this.#path;
    closeSync(this.#fd);
    this.#sequence += 1;
    this.#path = join(this.dir, fileName(this.#sequence));
    this.#fd = openSync(this.#path, 'a', 0o600);
    this.#size = 0;
    return previous;
  }

  /**
   * Flushes the current file to the disk (on a worker thread). A rotation meanwhile may close
   * the descriptor (EBADF): the new file is flushed by the next call.
   */
  flush(): Promise<void> {
    const fd = this.#fd;
    return new Promise((resolve, reject) =>
      fdatasync(fd, (error) => (error && error.code !== 'EBADF' && fd === this.#fd ? reject(error) : resolve())),
    );
  }

  /** Closes the current file; deletes it when `empty` (everything it held is in LMDB). */
  close(empty: boolean): void {
    closeSync(this.#fd);
    if (empty) unlinkSync(this.#path);
  }
}
