/**
 * @module
 * What a login asks of Redis, command by command: `MONITOR` on a connection of its own (so only
 * for a window whose Redis CPU and bytes are not the ones reported: MONITOR costs Redis work).
 * Each line says whether a client sent the command or a Lua script ran it (`[0 lua]`), so the
 * commands clients send are told from those scripts run; each `EVAL` is attributed to the
 * script it carries (its text is sent whole with every call, so its request bytes are counted).
 */
import { createClient } from 'redis';

/** The scripts qrlogin runs, told apart by a fragment of their text (server/backend/redis/*.ts). */
const SCRIPTS: Array<[string, string]> = [
  ["redis.call('INCR'", 'rate-limit hit (counters.ts)'],
  ['cjson.decode(current).version', 'compare-and-set (stores.ts)'],
  ["redis.call('ZREMRANGEBYSCORE'", 'scan reserve (stores.ts)'],
  ["redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])", 'sign-in add (sign-in-store.ts)'],
  ["redis.call('ZRANGEBYSCORE'", 'deadline take (qr-deadlines.ts)'],
];

export interface MonitorCounts {
  /** Commands clients sent, by name (lower case). */
  sent: Record<string, number>;
  /** Commands Lua scripts ran, by name. */
  inScripts: Record<string, number>;
  /** EVAL calls by script, with the bytes of their request text (script, keys and arguments). */
  evals: Record<string, { calls: number; requestBytes: number }>;
}

export interface RedisMonitor {
  counts: MonitorCounts;
  opened(): void;
  closed(): void;
  close(): Promise<void>;
}

const bump = (record: Record<string, number>, key: string) => {
  record[key] = (record[key] ?? 0) + 1;
};

/** One MONITOR line: `<time> [<db> <client|lua>] "CMD" "arg" …`. */
function count(line: string, counts: MonitorCounts): void {
  const open = line.indexOf('[');
  const close = line.indexOf(']', open);
  if (open < 0 || close < 0) return;
  const fromScript = line.slice(open, close).endsWith(' lua');
  const rest = line.slice(close + 2);
  const command = /^"([^"]+)"/.exec(rest)?.[1]?.toLowerCase();
  if (!command) return;
  bump(fromScript ? counts.inScripts : counts.sent, command);
  if (command !== 'eval' || fromScript) return;
  // The script text as MONITOR prints it (quoted, `\n` escaped): close enough to tell them apart.
  const script = rest.replace(/\\n/g, '\n');
  const name = SCRIPTS.find(([fragment]) => script.includes(fragment))?.[1] ?? 'other';
  const entry = (counts.evals[name] ??= { calls: 0, requestBytes: 0 });
  entry.calls += 1;
  // MONITOR escapes the arguments; unescaped, their length is near what was sent (RESP framing aside).
  entry.requestBytes += Buffer.byteLength(rest.replace(/\\(n|"|\\)/g, 'x'));
}

export async function redisMonitor(port: number): Promise<RedisMonitor> {
  const client = createClient({ socket: { host: '127.0.0.1', port } });
  client.on('error', () => undefined);
  await client.connect();
  let counting = false;
  const counts: MonitorCounts = { sent: {}, inScripts: {}, evals: {} };
  await client.monitor((reply) => {
    if (counting) count(String(reply), counts);
  });
  return {
    counts,
    opened: () => {
      counting = true;
    },
    closed: () => {
      counting = false;
    },
    close: async () => {
      client.destroy();
    },
  };
}

/** Per login: each record divided by `logins`, rounded, largest first. */
export function perLogin(counts: MonitorCounts, logins: number): MonitorCounts {
  const per = (record: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(record)
        .map(([key, value]) => [key, Math.round((value / logins) * 100) / 100] as const)
        .sort((a, b) => b[1] - a[1]),
    );
  const evals = Object.fromEntries(
    Object.entries(counts.evals).map(([key, { calls, requestBytes }]) => [
      key,
      { calls: Math.round((calls / logins) * 100) / 100, requestBytes: Math.round(requestBytes / logins) },
    ]),
  );
  return { sent: per(counts.sent), inScripts: per(counts.inScripts), evals };
}
