/**
 * @module
 * The problems `loadConfig` reports for an environment (it must refuse it).
 */
import { ConfigError, loadConfig } from '../../server/config';

export function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected loadConfig to refuse the environment');
}
