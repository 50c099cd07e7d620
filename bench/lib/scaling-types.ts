/**
 * @module
 * The shape of a scaling run (bench/scaling.ts) as written to its JSON file.
 */
import type { MonitorCounts } from './redis-monitor';
import type { BackgroundFigures, ExpiryFigures, FanOutFigures, LoginFigures, WaitingFigures } from './scaling-figures';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  kernel: string;
  node: string;
  redis: string;
  commit: string;
  /** Server files changed since that commit when the run started (the build in dist/ has them). */
  uncommitted: string[];
}

export interface PushFigures {
  messagesPerLogin: number;
  roomMessagesPerLogin: number;
  channelBytesPerMessage: number;
  payloadBytesPerMessage: number;
}

export interface DeploymentRun {
  instances: number;
  redis: 'standalone' | 'cluster';
  /** The 1-minute load average before the background window and before each login window (this run's own load included). */
  loadAverage1: number[];
  background: BackgroundFigures;
  logins: LoginFigures[];
  /** On a Cluster: the same windows, the masters' and the replicas' shares of Redis's work. */
  loginsByRole?: { masters: LoginFigures[]; replicas: LoginFigures[] };
  /** Six instances: logins served by the first `involved` only; the others only receive the adapter's messages. */
  fanOut?: FanOutFigures;
  /** Standalone: the adapter spy's and MONITOR's window (its own logins; its Redis figures are not reported). */
  inspect?: { logins: number; push: PushFigures; commands: MonitorCounts };
  /** At three instances: logins of fresh users (a short sign-in list), c = the lowest concurrency. */
  light?: LoginFigures & { users: number; masters?: LoginFigures };
  waiting: WaitingFigures;
  raw: unknown;
}

export interface ScalingRun {
  mode: 'quick' | 'full';
  startedAt: string;
  seconds: number;
  machine: Machine;
  load: { waitedSeconds: number; load: number[]; atEnd: number[] };
  settings: object;
  deployments: DeploymentRun[];
  expiry: ExpiryFigures;
  /** Six instances on the Cluster, logins served by three (the sharded adapter's fan-out). */
  clusterFanOut?: FanOutFigures;
  raw: unknown;
}
