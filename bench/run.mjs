// `npm run bench`: every benchmark, each against a baseline in the same run, printed as tables
// (and as Markdown with --markdown, for README.md). Run with node --expose-gc after `npm run build`.
import os from 'node:os';
import { chaosSoak } from './chaos-soak.mjs';
import { requestsPerCycle } from './requests-per-cycle.mjs';
import { inFreshProcess } from './in-fresh-process.mjs';
import { thunderingHerd } from './thundering-herd.mjs';
import { heap, pendingTimers } from './timers-and-heap.mjs';

const asMarkdown = process.argv.includes('--markdown');

function print(title, rows, verdict) {
  console.log(`\n### ${title}\n`);
  if (asMarkdown) {
    const columns = Object.keys(rows[0]);
    console.log(`| ${columns.join(' | ')} |`);
    console.log(`|${columns.map(() => '---').join('|')}|`);
    for (const row of rows) console.log(`| ${columns.map((column) => row[column]).join(' | ')} |`);
  } else {
    console.table(rows);
  }
  if (verdict) console.log(`\n${verdict}`);
}

const started = Date.now();
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`Benchmarks, ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`);

const cycles = await requestsPerCycle();
print('Requests per refresh cycle, 24 h of virtual time, 1 h tokens, all five adapters attached', cycles,
  `Goal: exactly one refresh per cycle. Ours: ${cycles.map((row) => row['ours: refreshes per cycle']).join(' / ')}; the naive pattern makes ${cycles[0]['naive ÷ ours']}× as many requests.`);

const timers = await pendingTimers();
print('Timers pending', timers, 'Baseline: the naive pattern keeps one timer per SDK (4).');

const memory = await heap();
print('Heap growth over 100,000 subscribe/unsubscribe cycles', memory, 'Goal: under 1 MB (negative means the collector freed more than the cycles kept).');

const herd = await thunderingHerd();
print('Thundering herd: 10,000 managers, backend down 5 min, then back', herd.rows,
  `Goal: recovery spread over at least 20 s. Ours spreads it over ${herd.spread} s; the peak second is ${herd.ratio.toFixed(1)}× lower than without jitter.`);

const soak = await chaosSoak();
print('Chaos soak: 7 days of virtual time, outage spells ~10 % of the time, clock jumps, sleeps and offline spells', soak.rows,
  'Goal: no second without a usable token while the backend is healthy, beyond the wait for one request after a disruption; one request per healthy cycle; never more than one request a second.');
print('Chaos soak: seconds without a usable token while healthy, online and awake, by what came just before', soak.breakdown);

const signer = await inFreshProcess('signing.mjs', 'signing');
print('Signing: tokens per second', signer.rows,
  `Goal: at least 50× the helper on Node. twilio-token-lifecycle/server signs ${signer.ratio.toFixed(1)}× the helper's tokens per second on Node (its node:crypto build); its WebCrypto build, ${signer.webCryptoRatio.toFixed(1)}× (Node's crypto.subtle runs each sign on its thread pool).`);

const load = await inFreshProcess('server.mjs', 'serverLoad');
print('POST /api/token under autocannon (20 connections, pipelining 4, best of 2 runs of 5 s each, loopback)', load.rows,
  `Goal: at least 6× the throughput. Ours serves ${load.ratio.toFixed(1)}× as many requests per second; two instances sharing Redis (on the same cores), ${load.redisRatio.toFixed(1)}×.`);
print('Server CPU time per POST /api/token, without a body and with a 2-byte JSON body {} (process.cpuUsage of the server process; median of 3 alternated 2 s runs)', load.cpuRows,
  `Goal: a small JSON body costs at most 1.2× the CPU of none. Ours: ${load.bodyCpuRatio.toFixed(2)}× as browsers send (one request at a time per connection); ${load.pipelinedBodyCpuRatio.toFixed(2)}× pipelined.`);

const edge = await inFreshProcess('workerd.mjs', 'workerdLoad');
print('POST /api/token on the Worker in workerd (miniflare, 20 connections, pipelining 4, best of 2 runs of 5 s each, loopback)', edge.rows,
  `Durable Objects (three object calls per token request: two limits and the session) serve ${edge.ratio.toFixed(2)}× the requests per second of the Worker's own memory.`);

console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
