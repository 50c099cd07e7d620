/**
 * The capacity model of BENCHMARKS.md (bench/lib/capacity-model.ts), computed from the run of
 * record: what each row needs must follow from the printed unit costs and assumptions, so that
 * the document's table, its worked example and the code cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASSUMPTIONS, type Projection, capacityModel } from '../../bench/lib/capacity-model';
import type { ScalingRun } from '../../bench/lib/scaling-types';

const run = JSON.parse(readFileSync(join(__dirname, '../../bench/runs/2026-12-04-scaling.json'), 'utf8')) as ScalingRun;
const model = capacityModel(run);
const row = (waiting: number, logins: number, deployment: 'A' | 'B'): Projection => {
  const found = model.projections.find((p) => p.waiting === waiting && p.loginsPerSecond === logins && p.deployment === deployment);
  if (!found) throw new Error(`no row ${waiting}/${logins}/${deployment}`);
  return found;
};
const budget = 1000 * ASSUMPTIONS.instanceUtilisation;
const redisBudget = 1000 * ASSUMPTIONS.redisUtilisation;

describe('capacity model (run of record 2026-12-04)', () => {
  it('gives each row the least number of instances whose CPU covers the demand', () => {
    for (const p of model.projections.filter((x) => Number.isFinite(x.instances.needed))) {
      const demandMs = p.instances.serverCores * 1000;
      expect(p.instances.needed * budget).toBeGreaterThanOrEqual(demandMs - 50); // serverCores is rounded to 0.1 core
      expect(p.instances.needed).toBe(Math.max(p.instances.byCpu, p.instances.byMemory, p.instances.bySockets));
      // …and one fewer would not cover it (checked against the demand at N, which the fan-out makes a
      // little larger than at N − 1: a weaker check, but one a wrong search would fail).
      if (p.instances.needed === p.instances.byCpu && p.instances.needed > 1)
        expect((p.instances.needed - 1) * budget).toBeLessThan(demandMs + 50);
    }
  });

  it('one Redis (A) fails on its core before the fan-out: 1,000 logins/s fit at 100,000 waiting browsers, 10,000 do not', () => {
    expect(row(100_000, 1000, 'A').instances.needed).toBe(6);
    expect(row(100_000, 1000, 'A').redisCpuPercent).toBeLessThanOrEqual(redisBudget / 10);
    const ten = row(100_000, 10_000, 'A');
    expect(ten.instances.needed).toBeNaN();
    expect(ten.redisCpuPercent).toBeGreaterThan(redisBudget / 10);
    expect(ten.bindsFirst).toMatch(/^the one Redis’s core/);
    expect(ten.redisLoginCeiling).toBeGreaterThan(1000);
    expect(ten.redisLoginCeiling).toBeLessThan(model.classicCeiling);
  });

  it('at 1,000,000 waiting browsers one Redis is over its share from the QR churn alone, though instances would suffice', () => {
    const p = row(1_000_000, 1000, 'A');
    expect(p.redisCpuPercent).toBeGreaterThan(100);
    expect(p.redisLoginCeiling).toBe(0);
    expect(p.instances.needed).toBe(p.instances.byCpu);
  });

  it('on the Cluster (B), the master holding qr-deadlines stays within its share', () => {
    for (const p of model.projections.filter((x) => x.deployment === 'B')) {
      const total = p.redisCpuPercent * 10;
      const hot = p.shards.hotSlotCpuPercent * 10;
      const onHotMaster = (total - hot) / p.shards.needed + hot;
      // Percentages are rounded (total to 1 %, the slot to 0.1 %): a few ms/s of slack.
      expect(onHotMaster).toBeLessThanOrEqual(redisBudget + 5);
      expect(total / p.shards.needed).toBeLessThanOrEqual(redisBudget + 5);
      expect(p.shards.needed).toBeGreaterThanOrEqual(3);
    }
    expect(row(1_000_000, 10_000, 'B').shards.needed).toBe(21);
    expect(row(100_000, 10_000, 'B').shards.needed).toBe(16);
  });

  it('counts the Cluster clients’ bytes once: replication is not in the instances ↔ Redis figure', () => {
    const b = model.costs.B;
    const cluster = run.deployments.find((d) => d.redis === 'cluster');
    const last = cluster?.logins.at(-1);
    if (!last) throw new Error('no Cluster login window');
    expect(b.netIn + b.netOut).toBeCloseTo(last.redis.netIn + last.redis.netOut - 2 * last.redis.replOut, 0);
    expect(b.bus).toBeCloseTo(last.redis.busBytes + last.redis.replOut, 0);
    expect(b.repl).toBeGreaterThan(0);
  });
});
