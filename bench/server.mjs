// The reference server: /api/token under load (one instance
// in memory, two sharing Redis, and the helper-signed server as the baseline, all in the same run).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

async function startServer(minter, env = {}) {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./serve.mjs', import.meta.url)), minter], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const answers = [];
  child.stdout.on('data', (chunk) => {
    for (const match of String(chunk).matchAll(/CPU (\d+)/g)) answers.shift()?.(Number(match[1]));
  });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 10_000);
    child.stdout.on('data', (chunk) => {
      const match = /PORT (\d+)/.exec(String(chunk));
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    /** The server process's CPU time so far (user + system), in µs. */
    cpu: () => new Promise((resolve) => (answers.push(resolve), child.stdin.write('cpu\n'))),
    stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))),
  };
}

/** A throw-away redis-server (Debian's) on a free loopback port, without persistence. */
async function startRedis() {
  const probe = net.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  const dir = mkdtempSync(join(tmpdir(), 'ttl-bench-redis-'));
  const child = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000);
    child.once('error', reject);
    child.stdout.on('data', (chunk) => String(chunk).includes('Ready to accept connections') && (clearTimeout(timer), resolve()));
  });
  child.stdout.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))).then(() => rmSync(dir, { recursive: true, force: true })),
  };
}

/**
 * Signs in on the first instance, then loads `/api/token` on every one with that session, with `body`
 * (JSON) if given, as `request: { json: … }` sends it. Also the servers' CPU time per request (µs).
 */
export async function load(servers, seconds, body, pipelining = 4) {
  const login = await fetch(`${servers[0].url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"identity":"alice"}' });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  const cpuBefore = await Promise.all(servers.map((server) => server.cpu?.() ?? 0));
  const result = await autocannon({
    url: servers.map((server) => `${server.url}/api/token`), // connections spread evenly over them
    method: 'POST',
    headers: body === undefined ? { cookie } : { cookie, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body }),
    connections: 20,
    pipelining,
    duration: seconds, // bounded in time; the servers are stopped by the caller
  });
  const cpuAfter = await Promise.all(servers.map((server) => server.cpu?.() ?? 0));
  const cpu = cpuAfter.reduce((sum, after, i) => sum + after - cpuBefore[i], 0);
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    cpuPerRequest: result.requests.total > 0 ? cpu / result.requests.total : NaN,
  };
}

export async function withServers(count, minter, env, run) {
  const servers = await Promise.all(Array.from({ length: count }, () => startServer(minter, env)));
  try {
    return await run(servers);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/**
 * The best of `rounds` runs (other work on the machine only ever slows one down): the top throughput
 * with its p99, the least CPU per request, and the errors of all.
 */
export function best(runs) {
  const top = runs.reduce((a, b) => (b.rps > a.rps ? b : a));
  return { ...top, cpuPerRequest: Math.min(...runs.map((run) => run.cpuPerRequest)), errors: runs.reduce((sum, run) => sum + run.errors, 0) };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Server CPU time per request without a body and with `{}` (`request: { json: {} }`), on one instance:
 * short runs, alternated, and the median of each, so a busy spell on the machine hits both alike.
 */
async function bodyCost(servers, pipelining, pairs = 3, seconds = 2) {
  const none = [];
  const withBody = [];
  for (let i = 0; i < pairs; i++) {
    none.push(await load(servers, seconds, undefined, pipelining));
    withBody.push(await load(servers, seconds, '{}', pipelining));
  }
  const summary = (runs) => ({ cpuPerRequest: median(runs.map((run) => run.cpuPerRequest)), rps: median(runs.map((run) => run.rps)), errors: runs.reduce((sum, run) => sum + run.errors, 0) });
  return { none: summary(none), withBody: summary(withBody) };
}

export async function serverLoad(seconds = 5, rounds = 2) {
  const redis = await startRedis();
  const runs = { ours: [], shared: [], helper: [] };
  const costs = { browserLike: [], pipelined: [] };
  try {
    // Interleaved, so a busy spell on the machine does not land on one server only.
    for (let round = 0; round < rounds; round++) {
      await withServers(1, 'ours', {}, async (servers) => {
        runs.ours.push(await load(servers, seconds));
        costs.browserLike.push(await bodyCost(servers, 1));
        costs.pipelined.push(await bodyCost(servers, 4));
      });
      runs.shared.push(await withServers(2, 'ours', { REDIS_URL: redis.url }, (servers) => load(servers, seconds)));
      runs.helper.push(await withServers(1, 'helper', {}, (servers) => load(servers, seconds)));
    }
  } finally {
    await redis.stop();
  }
  const [ours, shared, helper] = [best(runs.ours), best(runs.shared), best(runs.helper)];
  const row = (name, r) => ({ server: name, 'requests / s': Math.round(r.rps), 'p99 latency (ms)': r.p99, 'errors or non-2xx': r.errors });
  // The round whose no-body run cost least: the quietest spell on the machine.
  const quietest = (list) => list.reduce((a, b) => (b.none.cpuPerRequest < a.none.cpuPerRequest ? b : a));
  const [browserLike, pipelined] = [quietest(costs.browserLike), quietest(costs.pipelined)];
  const cpuRow = (name, cost) => ({
    load: name,
    'CPU µs / request, no body': Math.round(cost.none.cpuPerRequest),
    'CPU µs / request, {} body': Math.round(cost.withBody.cpuPerRequest),
    'body ÷ no body': +(cost.withBody.cpuPerRequest / cost.none.cpuPerRequest).toFixed(2),
    'requests / s, no body / body': `${Math.round(cost.none.rps)} / ${Math.round(cost.withBody.rps)}`,
    'errors or non-2xx': cost.none.errors + cost.withBody.errors,
  });
  return {
    rows: [
      row('/api/token, one instance, limits and sessions in memory', ours),
      row('/api/token, two instances sharing Redis', shared),
      row("/api/token, one instance, twilio helper signer (baseline)", helper),
    ],
    cpuRows: [cpuRow('20 connections, one request at a time each (as browsers send)', browserLike), cpuRow('20 connections, pipelining 4', pipelined)],
    ratio: ours.rps / helper.rps,
    redisRatio: shared.rps / helper.rps,
    bodyCpuRatio: browserLike.withBody.cpuPerRequest / browserLike.none.cpuPerRequest,
    pipelinedBodyCpuRatio: pipelined.withBody.cpuPerRequest / pipelined.none.cpuPerRequest,
  };
}
