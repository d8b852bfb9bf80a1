import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { BenchOptions } from './options';
import type { StageResult, ViewResult } from './measure-stages';
import type { ApiResults, Timed } from './measure-api';
import type { FloorResults, ProfileSummary } from './measure-floor';

export interface BuildFigures {
  /** Writing the big dataset's history. */
  bigBuildMs: number;
  hashesWritten: number;
  hashesPerSecond: number;
  jobsCheckedWithBullMQ: number;
  /** Whole Redis after the build (both datasets; on a shared server, everyone's keys). */
  redisUsedMemoryMb: number;
  redisKeys: number;
}

export interface Target {
  name: string;
  goal: string;
  value: number;
  met: boolean;
}

export interface BenchResults {
  finishedAt: string;
  quick: boolean;
  environment: {
    cpus: number;
    cpuModel: string;
    node: string;
    redisVersion: string;
    redis: 'private' | 'shared';
    /** Commit the service was measured at, `+changes` when service/src differed from it. */
    commit: string;
    /** 1-minute load average at the start and the end: the machine is shared, so this says how quiet it was. */
    loadAverage: { start: number; end: number };
  };
  options: Omit<BenchOptions, 'redisUrl' | 'cleanPrefix'>;
  build: BuildFigures;
  stages: StageResult[];
  /** Headline figures: the default view ("all"), over HTTP. */
  summary: {
    p50SmallMs: number;
    p50BigMs: number;
    p99BigMs: number;
    historyRatio: number;
    naiveP50BigMs: number;
    naiveOverOurs: number;
    naiveOverOursInProcess: number;
    redisCpuPerSnapshotMs: number;
    replyBytes: number;
    totalJobs: number;
    allTopsSame: boolean;
    /** The small dataset holds the big one's newest finished jobs, so its SUCCESS/FAILURE lists must start the big one's. */
    historyListsConsistent: boolean;
  };
  targets: Target[];
  /** Job detail, pages followed by cursor, and search (measure-api.ts). */
  api: ApiResults;
  /** Bare node:http with the same bytes vs the uncached and cached service (measure-floor.ts). */
  floor: FloorResults;
  /** `--profile`: self time of the service under --cpu-prof over the uncached `all` loop. */
  profile?: ProfileSummary;
  totalSeconds: number;
}

const view = (stage: StageResult, name: string): ViewResult => {
  const found = stage.views.find((v) => v.view === name);
  if (!found) throw new Error(`no "${name}" view in stage ${stage.label}`);
  return found;
};

export function summarize(stages: StageResult[]): Pick<BenchResults, 'summary' | 'targets'> {
  const small = view(stages[0], 'all');
  const big = view(stages[stages.length - 1], 'all');
  const summary = {
    p50SmallMs: small.http.latency.p50,
    p50BigMs: big.http.latency.p50,
    p99BigMs: big.http.latency.p99,
    historyRatio: big.http.latency.p50 / small.http.latency.p50,
    naiveP50BigMs: big.naive.latency.p50,
    naiveOverOurs: big.naive.latency.p50 / big.http.latency.p50,
    naiveOverOursInProcess: big.naive.latency.p50 / big.inProcess.latency.p50,
    redisCpuPerSnapshotMs: big.http.redisCpuMs,
    replyBytes: big.replyBytes,
    totalJobs: stages[stages.length - 1].totalJobs,
    allTopsSame: stages.every((s) => s.views.every((v) => v.sameTop)),
    historyListsConsistent: stages[0].views
      .filter((v) => v.view !== 'all')
      .every((v) => stages.every((s) => v.ourTop.every((id, i) => view(s, v.view).ourTop[i] === id))),
  };
  const targets: Target[] = [
    { name: 'p50 at the big history (HTTP)', goal: '<= 2 ms', value: summary.p50BigMs, met: summary.p50BigMs <= 2 },
    { name: 'p50 big / small history', goal: '<= 1.2', value: summary.historyRatio, met: summary.historyRatio <= 1.2 },
    { name: 'naive p50 / ours p50', goal: '>= 30x', value: summary.naiveOverOurs, met: summary.naiveOverOurs >= 30 },
  ];
  return { summary, targets };
}

/** `git rev-parse --short HEAD` (+changes when service/src is modified), or "unknown" outside a git checkout. */
export function serviceCommit(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: __dirname, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const dirty = git('status', '--porcelain', '--', '../src').length > 0;
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? '+changes' : ''}`;
  } catch {
    return 'unknown';
  }
}

export function environment(redisVersion: string, isPrivate: boolean, loadAtStart: number, commit: string): BenchResults['environment'] {
  return {
    commit,
    loadAverage: { start: loadAtStart, end: os.loadavg()[0] },
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    redisVersion,
    redis: isPrivate ? 'private' : 'shared',
  };
}

const ms = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const int = (n: number) => n.toLocaleString('en-US');

/** One Markdown table (the README one) plus the targets and the setup line. */
export function markdown(r: BenchResults): string {
  const lines = [
    `| History per queue | View (limit) | Jobs in Redis | jobscope p50 / p99 (HTTP) | in-process p50 | Redis CPU / req | Reply | naive BullMQ p50 / p99 | naive Redis CPU / call | naive / jobscope | Same top 20 |`,
    `|---|---|---|---|---|---|---|---|---|---|---|`,
  ];
  for (const s of r.stages) {
    for (const v of s.views) {
      lines.push(
        `| ${int(s.completedPerQueue)} + ${int(s.failedPerQueue)} failed | ${v.view} (${v.limit}) | ${int(s.totalJobs)} | ` +
          `${ms(v.http.latency.p50)} / ${ms(v.http.latency.p99)} ms | ${ms(v.inProcess.latency.p50)} ms | ` +
          `${ms(v.http.redisCpuMs, 3)} ms | ${kb(v.replyBytes)} | ${ms(v.naive.latency.p50, 1)} / ${ms(v.naive.latency.p99, 1)} ms | ${ms(v.naive.redisCpuMs, 1)} ms | ` +
          `${ms(v.naive.latency.p50 / v.http.latency.p50, 0)}x | ${v.sameTop ? 'yes' : '**no**'} |`
      );
    }
  }
  lines.push('', '| Target | Goal | Measured | |', '|---|---|---|---|');
  for (const t of r.targets) {
    lines.push(`| ${t.name} | ${t.goal} | ${ms(t.value)} | ${t.met ? 'met' : '**missed**'} |`);
  }
  const o = r.options;
  lines.push(
    '',
    `${o.queues} queues; per queue ${int(o.live.waiting)} waiting, ${int(o.live.prioritized)} prioritized, ${int(o.live.delayed)} delayed ` +
      `(real \`Queue.add\`), ${o.live.workerQueues} queues with a real Worker holding ${o.live.concurrency} active job(s). ` +
      `${int(o.requests)} sequential requests per row (naive: ${int(o.naiveRequests)}; a quarter of both for limit 200) in ${o.rounds} ` +
      `blocks interleaved between the two datasets and the naive reader, snapshot cache TTL 0. ` +
      `${r.environment.cpus} CPUs (${r.environment.cpuModel}), Node ${r.environment.node}, Redis ${r.environment.redisVersion} ` +
      `(${r.environment.redis}), service at commit ${r.environment.commit}, load average ${r.environment.loadAverage.start.toFixed(1)} → ` +
      `${r.environment.loadAverage.end.toFixed(1)}, ${r.finishedAt.slice(0, 10)}. Build: ${int(r.build.hashesWritten)} job hashes at ` +
      `${int(Math.round(r.build.hashesPerSecond))}/s; Redis used memory ${int(Math.round(r.build.redisUsedMemoryMb))} MB ` +
      `with both datasets. Finished-job lists of the small dataset start those of the big one: ${r.summary.historyListsConsistent ? 'yes' : '**no**'}.`
  );
  return lines.join('\n');
}

/** Redis time per request and command at the big history: where the script's time goes. */
export function redisTimeMarkdown(r: BenchResults): string {
  const big = r.stages[r.stages.length - 1];
  const lines = [
    `Redis time per request by command, ${int(big.completedPerQueue)} completed per queue, over HTTP (INFO commandstats;`,
    'commands run inside the script are also counted under `evalsha`, so the columns do not add up):',
    '',
    '| View (limit) | Command: µs per request (calls per request) |',
    '|---|---|',
  ];
  for (const v of big.views) {
    const parts = Object.entries(v.http.redisCommands).map(
      // Command names like `client|list` would split a Markdown cell.
      ([name, c]) => `${name.replace(/\|/g, ' ')} ${c.usPerRequest.toFixed(0)} (${c.callsPerRequest.toFixed(0)})`
    );
    lines.push(`| ${v.view} (${v.limit}) | ${parts.join(', ')} |`);
  }
  return lines.join('\n');
}

/** Compact console table. */
export function consoleTable(r: BenchResults): string {
  const rows = [['stage', 'view', 'jobs', 'p50', 'p99', 'in-proc', 'redisCPU', 'reply', 'naive p50', 'ratio', 'top20']];
  for (const s of r.stages) {
    for (const v of s.views) {
      rows.push([
        s.label, v.view, int(s.totalJobs), ms(v.http.latency.p50), ms(v.http.latency.p99), ms(v.inProcess.latency.p50),
        ms(v.http.redisCpuMs, 3), kb(v.replyBytes), ms(v.naive.latency.p50, 1), `${ms(v.naive.latency.p50 / v.http.latency.p50, 0)}x`,
        v.sameTop ? 'same' : 'DIFF',
      ]);
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const out = rows.map((row) => row.map((cell, c) => cell.padStart(widths[c])).join('  '));
  out.push('', 'Redis time per request (big history, HTTP; script-internal commands also counted under evalsha):');
  for (const v of r.stages[r.stages.length - 1].views) {
    const parts = Object.entries(v.http.redisCommands).map(
      ([name, c]) => `${name} ${c.usPerRequest.toFixed(0)} us (${c.callsPerRequest.toFixed(1)}x)`
    );
    out.push(`  ${v.view.padEnd(11)} ${parts.join(', ')}`);
  }
  out.push('', `Finished-job lists of the small dataset start those of the big one: ${r.summary.historyListsConsistent ? 'yes' : 'NO'}`);
  for (const t of r.targets) {
    out.push(`${t.met ? 'MET   ' : 'MISSED'} ${t.name}: ${ms(t.value)} (goal ${t.goal})`);
  }
  return out.join('\n');
}

/** Lines describing how the two approaches' top jobs differ, for the report. */
export function topDifferences(r: BenchResults): string[] {
  const out: string[] = [];
  for (const s of r.stages) {
    for (const v of s.views) {
      if (!v.sameTop) {
        out.push(`${s.label} ${v.view}: jobscope [${v.ourTop.join(' ')}] vs naive [${v.naiveTop.join(' ')}]`);
      }
    }
  }
  return out;
}

const commandList = (t: Timed) =>
  Object.entries(t.commands)
    .map(([name, c]) => `${name.replace(/\|/g, ' ')} ${c.usPerRequest.toFixed(0)} (${c.callsPerRequest.toFixed(c.callsPerRequest < 10 ? 1 : 0)})`)
    .join(', ');
const us = (n: number) => (Number.isFinite(n) ? `${n.toFixed(0)} µs` : 'n/a');
const p50p99 = (t: Timed, digits = 2) => `${ms(t.latency.p50, digits)} / ${ms(t.latency.p99, digits)} ms`;

/**
 * Job detail, page N vs page 1 and search, as Markdown (RESULTS.md). Redis script time is the evalsha line of INFO
 * commandstats per HTTP request (the script's own run time, on Redis's single thread).
 */
export function apiMarkdown(r: BenchResults): string {
  const a = r.api;
  const labels = a.detail[0]?.perStage.map((p) => p.label) ?? [];
  const first = labels[0];
  const last = labels[labels.length - 1];
  const lines = [
    `### Job detail: \`GET /api/jobs/<jobKey>\``,
    '',
    `${int(a.jobsInBig)} jobs in Redis at ${last}. Each row cycles through the sampled jobs (spread over the whole ` +
      'history; waiting ones taken from the wait lists), every one first checked to be the right job in the right state.',
    '',
    `| Job | Sampled | p50 / p99 (HTTP), ${last} | Redis script / call, ${last} | Redis CPU / call | Reply | p50 / p99, ${first} | p50 ${last} / ${first} |`,
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const d of a.detail) {
    const big = d.perStage[d.perStage.length - 1];
    const small = d.perStage[0];
    lines.push(
      `| ${d.kind} | ${d.sampled} | ${p50p99(big)} | ${us(big.redis.scriptUs)} | ${ms(big.redis.cpuMs, 3)} ms | ${kb(d.replyBytes)} | ` +
        `${p50p99(small)} | ${ms(d.historyRatio)} |`
    );
  }
  lines.push(
    '',
    `### Page N vs page 1: \`?state=...&limit=20&cursor=<nextCursor>\` at ${a.pagesLabel}`,
    '',
    'Pages reached by following `nextCursor` from page 1; each timed page is then requested again and again with its cursor.',
    '',
    '| View | Page (jobs before it) | p50 / p99 (HTTP) | Redis script / call | p50 / page 1 | Redis script / page 1 |',
    '|---|---|---|---|---|---|'
  );
  for (const w of a.paging) {
    for (const p of w.pages) {
      lines.push(
        `| ${w.view} | ${int(p.page)} (${int(p.offset)}) | ${p50p99(p.timed)} | ${us(p.timed.redis.scriptUs)} | ${ms(p.ratio)} | ${ms(p.redisRatio)} |`
      );
    }
  }
  lines.push('', 'Redis time per request by command (µs, calls per request), page 1 vs page 2 and the deepest page timed:', '');
  for (const w of a.paging) {
    for (const p of w.pages.filter((p, i) => i <= 1 || i === w.pages.length - 1)) {
      lines.push(`- ${w.view} page ${int(p.page)}: ${commandList(p.timed)}`);
    }
  }
  lines.push('');
  for (const w of a.paging) {
    lines.push(
      `- ${w.view}: walked ${int(w.pagesWalked)} pages, ${int(w.jobsWalked)} of ${int(w.jobsInState)} jobs` +
        `${w.reachedEnd ? ' (to the last page)' : ''}, each once and newest first: ${w.distinct && w.ordered ? 'yes' : '**no**'}; ` +
        `${ms(w.walkMsPerPage)} ms per page while walking.`
    );
  }
  lines.push(
    '',
    `### Search: \`GET /api/jobs/search?q=...&window=${a.searchWindow}\` over ${r.options.queues} queues`,
    '',
    'Default limit (50) unless stated. Hits as returned (by id: jobs whose id is `q`); jobs read = `searched.jobs`. ' +
      'Redis script time is a mean per request (several script calls, one after the other on Redis\'s thread), so with ' +
      'a skewed distribution it can exceed the p50.',
    '',
    `| Search | q | Hits (by id) | Jobs read (complete) | p50 / p99 (HTTP), ${last} | Redis script / call (scripts) | p50 / p99, ${first} | p50 ${last} / ${first} |`,
    '|---|---|---|---|---|---|---|---|'
  );
  for (const s of a.search) {
    const big = s.perStage[s.perStage.length - 1];
    const small = s.perStage[0];
    const limit = /limit=(\d+)/.exec(s.query)?.[1];
    lines.push(
      `| ${s.case}${limit ? `, limit ${limit}` : ''} | \`${s.q}\` | ${big.hits} (${big.idHits}) | ${int(big.searched.jobs)} (${big.searched.complete ? 'yes' : 'no'}) | ` +
        `${p50p99(big, 1)} | ${us(big.redis.scriptUs)} (${ms(big.redis.scriptCalls, 0)}) | ${p50p99(small, 1)} (read ${int(small.searched.jobs)}) | ${ms(s.historyRatio)} |`
    );
  }
  return lines.join('\n');
}

/** The same figures, compact, for the console. */
export function apiConsole(r: BenchResults): string {
  const a = r.api;
  const out = ['Job detail (HTTP p50 / p99 per dataset; Redis script µs per call):'];
  for (const d of a.detail) {
    out.push(`  ${d.kind.padEnd(9)} ` + d.perStage.map((p) => `${p.label} ${p50p99(p)} ${us(p.redis.scriptUs)}`).join('  |  ') + `  big/small ${ms(d.historyRatio)}`);
  }
  out.push(`Pages at ${a.pagesLabel} (limit 20, by cursor): p50, ratio to page 1 (latency / Redis script time):`);
  for (const w of a.paging) {
    out.push(`  ${w.view.padEnd(7)} ` + w.pages.map((p) => `p${p.page} ${ms(p.timed.latency.p50)} ms (${ms(p.ratio)} / ${ms(p.redisRatio)})`).join(', '));
    for (const p of [w.pages[0], w.pages[1]].filter(Boolean)) {
      out.push(`    page ${p.page}: ${commandList(p.timed)}`);
    }
  }
  out.push(`Search (window ${a.searchWindow}):`);
  for (const s of a.search) {
    out.push(
      `  ${s.case.padEnd(29)} ` +
        s.perStage.map((p) => `${p.label} ${p50p99(p, 1)} ${us(p.redis.scriptUs)}/${ms(p.redis.scriptCalls, 0)} scripts, ${p.hits} hits, read ${int(p.searched.jobs)}`).join('  |  ')
    );
  }
  return out.join('\n');
}

const evalshaUs = (m: { redisCommands: Record<string, { usPerRequest: number }> }) => m.redisCommands.evalsha?.usPerRequest ?? 0;

/** "Floor and profile" section of RESULTS.md. */
export function floorMarkdown(r: BenchResults): string {
  const f = r.floor;
  const lines = [
    `Target: uncached status route p50 ≤ 2× the floor. The floor is a bare \`node:http\` server in its own Node process ` +
      `answering every request with the exact bytes (and \`Content-Type\`/\`Content-Length\`) the service gave for that view ` +
      `at ${f.label}, timed by the same keep-alive client in blocks interleaved with the uncached service (\`JOBSCOPE_SNAPSHOT_TTL_MS=0\`), ` +
      `the cached one (default TTL 1,000 ms) and the in-process split; ${int(r.options.requests)} requests per row (split: half).`,
    '',
    '| View | Reply | floor p50 / p99 | uncached p50 / p99 | **uncached / floor** | cached p50 / p99 | cached / floor | Redis script / req (uncached) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const v of f.views) {
    lines.push(
      `| ${v.view} | ${kb(v.replyBytes)} | ${ms(v.floor.latency.p50)} / ${ms(v.floor.latency.p99)} ms | ${ms(v.uncached.latency.p50)} / ${ms(v.uncached.latency.p99)} ms | ` +
        `**${ms(v.uncachedOverFloor, 1)}x** ${v.uncachedOverFloor <= 2 ? '(met)' : '(missed)'} | ${ms(v.cached.latency.p50)} / ${ms(v.cached.latency.p99)} ms | ` +
        `${ms(v.cachedOverFloor, 1)}x | ${evalshaUs(v.uncached).toFixed(0)} µs |`
    );
  }
  lines.push(
    '',
    'Where the uncached time goes (p50s; the in-process split times the service\'s own ioredis commands around `snapshots.get()`: ' +
      'Redis round trip = first command sent → last reply parsed, PING, the script and CLIENT LIST running concurrently; Node work = the rest ' +
      'of the call; "HTTP + JSON" = uncached − floor − in-process, i.e. routing, validation, `JSON.stringify` and the adapter):',
    '',
    '| View | floor | uncached − floor | in-process total | Redis round trip | of it Redis script (mean) | Node work (build) | HTTP + JSON (rest) |',
    '|---|---|---|---|---|---|---|---|'
  );
  for (const v of f.views) {
    const s = v.split;
    const rest = v.uncached.latency.p50 - v.floor.latency.p50 - s.total.p50;
    lines.push(
      `| ${v.view} | ${ms(v.floor.latency.p50)} ms | ${ms(v.uncached.latency.p50 - v.floor.latency.p50)} ms | ${ms(s.total.p50)} ms | ` +
        `${ms(s.redisRoundTrip.p50)} ms (${ms(s.commands, 0)} commands) | ${ms(evalshaUs(v.uncached) / 1000)} ms | ${ms(s.nodeWork.p50)} ms | ${ms(rest)} ms |`
    );
  }
  const served = Object.entries(f.headers).map(([k, v]) => `\`${k}: ${v}\``).join(', ');
  lines.push('', `The floor sends only \`Content-Type\` and \`Content-Length\` (plus Node's \`Date\`/\`Connection\`/\`Keep-Alive\`); the service's reply headers (\`all\`): ${served}.`);
  const p = r.profile;
  if (p) {
    lines.push(
      '',
      `### CPU profile: uncached \`all\`, ${int(p.requests)} requests under \`node --cpu-prof\``,
      '',
      `p50 ${ms(p.latency.p50)} ms under the profiler; ${int(p.samplesInWindow)} samples of ${p.intervalUs.toFixed(0)} µs ` +
        `${p.windowMatched ? 'inside the timed loop' : '(whole process: the loop window did not match the profile clock)'}; ` +
        `service busy ${ms(p.busyMs, 0)} ms (${ms(p.busyMsPerRequest)} ms CPU per request), idle ${ms(p.idleMs, 0)} ms. ` +
        'Self time, % of busy time:',
      '',
      '| # | Function (file:line) | Self ms | % |',
      '|---|---|---|---|'
    );
    p.functions.forEach((row, i) => lines.push(`| ${i + 1} | \`${row.name.replace(/\|/g, '\\|')}\` | ${ms(row.ms, 0)} | ${ms(row.percent, 1)} |`));
    lines.push('', '| By package / file | Self ms | % |', '|---|---|---|');
    p.files.forEach((row) => lines.push(`| \`${row.name}\` | ${ms(row.ms, 0)} | ${ms(row.percent, 1)} |`));
  }
  return lines.join('\n');
}

/** The same, compact, for the console. */
export function floorConsole(r: BenchResults): string {
  const out = [`Floor (bare node:http, same bytes) vs service at ${r.floor.label}, p50 / p99:`];
  for (const v of r.floor.views) {
    out.push(
      `  ${v.view.padEnd(8)} floor ${ms(v.floor.latency.p50)} / ${ms(v.floor.latency.p99)} ms | uncached ${ms(v.uncached.latency.p50)} / ${ms(v.uncached.latency.p99)} ms ` +
        `= ${ms(v.uncachedOverFloor, 1)}x floor ${v.uncachedOverFloor <= 2 ? 'MET' : 'MISSED'} (goal <= 2x) | cached ${ms(v.cached.latency.p50)} / ${ms(v.cached.latency.p99)} ms = ${ms(v.cachedOverFloor, 1)}x`
    );
    out.push(
      `           in-process ${ms(v.split.total.p50)} ms = Redis round trip ${ms(v.split.redisRoundTrip.p50)} (script ${ms(evalshaUs(v.uncached) / 1000)}) ` +
        `+ Node ${ms(v.split.nodeWork.p50)} ms; HTTP + JSON rest ${ms(v.uncached.latency.p50 - v.floor.latency.p50 - v.split.total.p50)} ms`
    );
  }
  const p = r.profile;
  if (p) {
    out.push(`CPU profile (uncached all, ${p.requests} requests, ${ms(p.busyMsPerRequest)} ms CPU / request), top self time:`);
    p.functions.forEach((row) => out.push(`  ${ms(row.percent, 1).padStart(5)} %  ${ms(row.ms, 0).padStart(6)} ms  ${row.name}`));
    out.push('  by package / file: ' + p.files.map((row) => `${row.name} ${ms(row.percent, 1)} %`).join(', '));
  }
  return out.join('\n');
}
