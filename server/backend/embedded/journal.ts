/**
 * @module
 * The embedded store's write-ahead journal: each change to a QR session or ticket is one
 * `write()` of JSON lines appended to `journal-<n>.log` before it is answered. A single write
 * reaches the operating system whole or not at all, so a process killed at any moment loses
 * nothing it answered; LMDB receives the changes in batches afterwards (checkpoints), and a
 * journal file is deleted once its changes are committed there. On open, the files left by a
 * process that was killed are read back in order; a line that does not parse (a write torn by
 * a power cut) and anything after it in its file is ignored.
 */
import { closeSync, fdatasync, openSync, readFileSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
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

/** Every entry the journal files in `dir` hold, in order, and the files' paths. */
export function readJournal(dir: string): { entries: JournalEntry[]; files: string[] } {
  const entries: JournalEntry[] = [];
  const files: string[] = [];
  for (const { name } of journalFiles(dir)) {
    const path = join(dir, name);
    files.push(path);
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line === '') continue;
      try {
        entries.push(JSON.parse(line) as JournalEntry);
      } catch {
        break;
      }
    }
  }
  return { entries, files };
}

export class Journal {
  #fd: number;
  #sequence: number;
  #path: string;

  constructor(private readonly dir: string) {
    this.#sequence = (journalFiles(dir).at(-1)?.sequence ?? 0) + 1;
    this.#path = join(dir, fileName(this.#sequence));
    this.#fd = openSync(this.#path, 'a', 0o600);
  }

  /**
   * Appends entries, given as their JSON lines (see {@link journalLine}), in one write; throws
   * (and nothing is answered) when the disk refuses it.
   */
  append(lines: readonly string[]): void {
    writeSync(this.#fd, `${lines.join('\n')}\n`);
  }

  /** Starts a new file; the path of the one before it, to delete once its changes are in LMDB. */
  rotate(): string {
    const previous = this.#path;
    closeSync(this.#fd);
    this.#sequence += 1;
    this.#path = join(this.dir, fileName(this.#sequence));
    this.#fd = openSync(this.#path, 'a', 0o600);
    return previous;
  }

  /** Flushes the current file to the disk (on a worker thread). */
  flush(): Promise<void> {
    return new Promise((resolve) => fdatasync(this.#fd, () => resolve()));
  }

  /** Closes the current file and deletes it (call once everything is in LMDB). */
  close(): void {
    closeSync(this.#fd);
    unlinkSync(this.#path);
  }
}
