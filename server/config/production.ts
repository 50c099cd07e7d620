/**
 * @module
 * Insecure defaults: refused in production (`NODE_ENV=production`), warned about elsewhere.
 * Every problem is pushed, so the loader reports them all at once.
 */
import { type AppConfig, needsHttps } from '../domain/app';
import { isPrivateHost } from '../domain/webhooks';
import type { ParsedApps } from './apps';
import type { Reader } from './reader';

export interface DeploymentFacts {
  production: boolean;
  read: Reader;
  signingKey: unknown;
  store: 'embedded' | 'memory' | 'redis';
  /** The configured apps (the built-in demo app excluded). */
  ownApps: readonly AppConfig[];
  observerTickets: ParsedApps['observerTickets'];
}

export function checkDeployment(facts: DeploymentFacts, problems: string[], warnings: string[]): void {
  const { production, read } = facts;
  if (!facts.signingKey && production) {
    problems.push('NODE_ENV=production needs SIGNING_KEY or SIGNING_KEY_FILE (a generated key is for development only)');
  } else if (!facts.signingKey) {
    // The embedded store says where it keeps its generated key when it opens (it knows the path).
    if (facts.store === 'redis') {
      warnings.push(
        'no SIGNING_KEY or SIGNING_KEY_FILE: the instances share a generated signing key kept in Redis; set a key of your own in production',
      );
    } else if (facts.store === 'memory') {
      warnings.push(
        'no SIGNING_KEY or SIGNING_KEY_FILE: a signing key is generated at start; ID tokens and phone sign-ins stop working when the process restarts',
      );
    }
  }
  for (const { id, explicit } of facts.observerTickets) {
    const risk = `app "${id}" does not bind tickets to the browser: anyone who sees its QR code (over a shoulder, on a camera, in a screenshot) can poll check and collect the login`;
    if (production && !explicit) {
      problems.push(`NODE_ENV=production: ${risk}; if that is really wanted, say so with "insecureObserverTickets": true`);
    } else warnings.push(`${risk} (insecureObserverTickets)`);
  }
  if (!production) return;
  if (facts.ownApps.length === 0)
    problems.push('NODE_ENV=production needs APPS_FILE or APPS (the built-in demo app admits any localhost origin)');
  for (const app of facts.ownApps) {
    const wildcards = app.origins.filter((origin) => origin.endsWith(':*'));
    if (wildcards.length > 0)
      problems.push(`NODE_ENV=production: app "${app.id}" has wildcard-port origins (${wildcards.join(', ')}); list exact origins`);
    for (const field of ['redirectUris', 'postLogoutRedirectUris', 'backchannelLogoutUri'] as const) {
      const plain = [app[field] ?? []].flat().filter(needsHttps);
      if (plain.length > 0) {
        problems.push(
          `NODE_ENV=production: app "${app.id}" ${field} uses http (${plain.join(', ')}); use https (http only on localhost, 127.0.0.1 or [::1])`,
        );
      }
    }
  }
  for (const app of facts.ownApps) {
    if (app.webhookUrl === undefined) continue;
    // Only the origin is named: a webhook URL may carry a token of the receiver's in its path.
    const origin = new URL(app.webhookUrl).origin;
    if (needsHttps(app.webhookUrl))
      problems.push(
        `NODE_ENV=production: app "${app.id}" webhookUrl uses http (${origin}); use https (http only on localhost, 127.0.0.1 or [::1])`,
      );
    if (!app.webhookAllowPrivate && isPrivateHost(app.webhookUrl)) {
      problems.push(
        `NODE_ENV=production: app "${app.id}" webhookUrl is on a private, loopback or link-local host (${origin}); if that is really wanted (a receiver on your own network), say so with "webhookAllowPrivate": true`,
      );
    }
  }
  if (read.raw('TRUST_PROXY') === 'true') {
    problems.push(
      'NODE_ENV=production: TRUST_PROXY=true believes any X-Forwarded-For a client sends (its IP for rate limits and for the phone); give the number of proxy hops or their addresses',
    );
  }
  if (read.raw('RATE_LIMITS') === 'off')
    warnings.push('RATE_LIMITS=off in production: nothing stops brute force on check, userinfo or login');
  if (read.raw('ALLOW_REGISTRATION') === undefined) {
    problems.push(
      'NODE_ENV=production: set ALLOW_REGISTRATION to true or false (whether anyone may sign up must be a decision, not a default)',
    );
  }
}
