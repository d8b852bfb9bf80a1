import type { LiveJobOptions } from './live-jobs';

export interface BenchOptions {
  quick: boolean;
  /** Start a throw-away redis-server instead of using REDIS_URL. */
  private: boolean;
  /** Time HTTP against `src/main.ts` in its own process (default) rather than the bench's in-process server. */
  spawn: boolean;
  /** Also run the uncached `all` loop against a service under `node --cpu-prof` and summarize the profile. */
  profile: boolean;
  /** Only the big dataset and the floor section (floor, uncached, cached, split; plus the profile with --profile). */
  floorOnly: boolean;
  redisUrl: string;
  queues: number;
  /** Completed jobs per queue in the big stage (plus 1 failed per 100). */
  history: number;
  /** Completed jobs per queue in the small stage. */
  smallHistory: number;
  /** Timed HTTP requests per stage and view. */
  requests: number;
  /** Timed naive snapshots per stage and view (each takes tens of ms). */
  naiveRequests: number;
  warmup: number;
  /** Interleaved blocks per figure (each view alternates small/big/naive blocks this many times). */
  rounds: number;
  live: LiveJobOptions;
  /** Only delete the keys under this prefix (left by a killed run) and exit. */
  cleanPrefix: string | null;
}

const FULL = {
  queues: 20, history: 50_000, smallHistory: 1_000, requests: 2_000, naiveRequests: 40, warmup: 200, rounds: 10,
  waiting: 100, prioritized: 20, delayed: 20, workerQueues: 10, concurrency: 1,
};
const QUICK: typeof FULL = {
  queues: 3, history: 2_000, smallHistory: 200, requests: 100, naiveRequests: 5, warmup: 10, rounds: 2,
  waiting: 10, prioritized: 3, delayed: 3, workerQueues: 2, concurrency: 1,
};
type NumericOption = keyof typeof FULL;

/** Flag name (`--small-history`) and env name (`BENCH_SMALL_HISTORY`) of each numeric option. */
const NAMES: Record<NumericOption, [string, string]> = {
  queues: ['queues', 'BENCH_QUEUES'],
  history: ['history', 'BENCH_HISTORY'],
  smallHistory: ['small-history', 'BENCH_SMALL_HISTORY'],
  requests: ['requests', 'BENCH_REQUESTS'],
  naiveRequests: ['naive-requests', 'BENCH_NAIVE_REQUESTS'],
  warmup: ['warmup', 'BENCH_WARMUP'],
  rounds: ['rounds', 'BENCH_ROUNDS'],
  waiting: ['waiting', 'BENCH_WAITING'],
  prioritized: ['prioritized', 'BENCH_PRIORITIZED'],
  delayed: ['delayed', 'BENCH_DELAYED'],
  workerQueues: ['worker-queues', 'BENCH_WORKER_QUEUES'],
  concurrency: ['concurrency', 'BENCH_CONCURRENCY'],
};

export const USAGE = `usage: npm run bench [-- options]
  --quick                 small smoke run (3 queues x 2,000 jobs)
  --private               start a throw-away redis-server on a free port (else REDIS_URL, default 127.0.0.1:6379)
  --no-spawn              time HTTP against the bench's in-process server instead of a spawned src/main.ts
  --profile               also profile the uncached "all" loop (node --cpu-prof) and print the top functions   env BENCH_PROFILE=1
  --floor-only            only build the big dataset and run the floor section (and --profile); RESULTS.md untouched   env BENCH_FLOOR_ONLY=1
  --queues N              queues (20)                        env BENCH_QUEUES
  --history N             completed jobs per queue, big stage (50000; +1 failed per 100)   env BENCH_HISTORY
  --small-history N       completed jobs per queue, small stage (1000)                      env BENCH_SMALL_HISTORY
  --requests N            timed HTTP requests per stage and view (2000)                     env BENCH_REQUESTS
  --naive-requests N      timed naive snapshots per stage and view (40)                     env BENCH_NAIVE_REQUESTS
  --warmup N              untimed requests first (200)                                      env BENCH_WARMUP
  --rounds N              interleaved blocks per figure (10)                                env BENCH_ROUNDS
  --waiting/--prioritized/--delayed N   live jobs per queue added with Queue.add (100/20/20)
  --worker-queues N       queues with a real Worker holding active jobs (10)
  --concurrency N         active jobs per such Worker (1)
  --clean PREFIX          only delete what a killed run with prefix PREFIX left (pass its size flags too) and exit`;

export class OptionsError extends Error {}
/** `--help`: the message is the usage text, printed with exit code 0. */
export class HelpRequested extends OptionsError {}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const flags = new Map<string, string | true>();
  const known = new Set(['quick', 'private', 'no-spawn', 'profile', 'floor-only', 'help', 'clean', ...Object.values(NAMES).map(([flag]) => flag)]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new OptionsError(`unexpected argument "${arg}"\n${USAGE}`);
    const name = arg.slice(2).split('=')[0];
    if (!known.has(name)) throw new OptionsError(`unknown option --${name}\n${USAGE}`);
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (['quick', 'private', 'no-spawn', 'profile', 'floor-only', 'help'].includes(arg.slice(2))) {
      flags.set(arg.slice(2), true);
    } else {
      const value = argv[++i];
      if (value === undefined) throw new OptionsError(`${arg} needs a value`);
      flags.set(arg.slice(2), value);
    }
  }
  if (flags.has('help')) throw new HelpRequested(USAGE);
  const quick = flags.get('quick') === true || env.BENCH_QUICK === '1';
  const base = quick ? QUICK : FULL;
  const num = (key: NumericOption): number => {
    const [flag, envName] = NAMES[key];
    const raw = flags.get(flag) ?? env[envName];
    if (raw === undefined || raw === '') return base[key];
    const n = Number(raw);
    const min = ['workerQueues', 'prioritized', 'delayed', 'waiting', 'warmup'].includes(key) ? 0 : 1;
    if (!Number.isInteger(n) || n < min) throw new OptionsError(`--${flag} must be an integer >= ${min}, got "${String(raw)}"`);
    return n;
  };
  const options: BenchOptions = {
    quick,
    private: flags.get('private') === true || env.BENCH_PRIVATE === '1',
    profile: flags.get('profile') === true || env.BENCH_PROFILE === '1',
    floorOnly: flags.get('floor-only') === true || env.BENCH_FLOOR_ONLY === '1',
    spawn: !(flags.get('no-spawn') === true || env.BENCH_NO_SPAWN === '1'),
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    queues: num('queues'),
    history: num('history'),
    smallHistory: num('smallHistory'),
    requests: num('requests'),
    naiveRequests: num('naiveRequests'),
    warmup: num('warmup'),
    rounds: num('rounds'),
    live: {
      waiting: num('waiting'),
      prioritized: num('prioritized'),
      delayed: num('delayed'),
      workerQueues: num('workerQueues'),
      concurrency: num('concurrency'),
    },
    cleanPrefix: typeof flags.get('clean') === 'string' ? (flags.get('clean') as string) : null,
  };
  if (options.smallHistory > options.history) {
    throw new OptionsError('--small-history must not exceed --history');
  }
  options.live.workerQueues = Math.min(options.live.workerQueues, options.queues);
  return options;
}
