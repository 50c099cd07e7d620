/**
 * @module
 * Reading environment variables: trimmed raw values, and integers, booleans and URLs that
 * push a problem (naming the variable, never its value) instead of throwing.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export function reader(env: Env, problems: string[]) {
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    raw,
    int(name: string, fallback: number, min: number, max: number): number {
      const value = raw(name);
      if (value === undefined) return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        problems.push(`${name} must be an integer from ${min} to ${max}`);
        return fallback;
      }
      return parsed;
    },
    bool(name: string, fallback: boolean): boolean {
      const value = raw(name)?.toLowerCase();
      if (value === undefined) return fallback;
      if (['1', 'true', 'yes', 'on'].includes(value)) return true;
      if (['0', 'false', 'no', 'off'].includes(value)) return false;
      problems.push(`${name} must be true or false`);
      return fallback;
    },
    url(name: string, protocols: readonly string[]): string | undefined {
      const value = raw(name);
      if (value === undefined) return undefined;
      try {
        const url = new URL(value);
        if (!protocols.includes(url.protocol)) throw new Error('protocol');
        return value.replace(/\/+$/, '');
      } catch {
        problems.push(`${name} must be a ${protocols.join(' or ')} URL`);
        return undefined;
      }
    },
  };
}

export function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined) return 'loopback';
  if (value === 'true') return true;
  if (value === 'false') return false;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** What {@link reader} returns. */
export type Reader = ReturnType<typeof reader>;
