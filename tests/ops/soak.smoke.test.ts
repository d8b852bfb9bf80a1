import { spawn } from 'node:child_process';
import { REPO_ROOT } from './repo';

/**
 * `npm run soak` (scripts/soak.ts) in a tiny configuration: the real service in its own process, autocannon in
 * another, a private redis-server killed twice under 50 viewers. It must finish, pass and print the summary table
 * with 0 crashes. The figures themselves are not checked (the machine is shared); the full run is not part of npm test.
 */
jest.setTimeout(90_000);

it('runs the soak end to end in a tiny configuration and prints the table', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/soak.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      SOAK_SECONDS: '1',
      SOAK_CONNECTIONS: '10',
      SOAK_REQUESTS: '2000',
      SOAK_BAD_INPUTS: '200',
      SOAK_VIEWERS: '50',
      SOAK_CYCLES: '2',
      SOAK_DOWN_MS: '500',
      SOAK_UP_MS: '500',
      SOAK_JOBS: '40',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  if (code !== 0) {
    throw new Error(`soak exited ${code}:\n${out.slice(-4000)}`);
  }
  expect(out).toContain('| Soak | Figure |');
  expect(out).toMatch(/\| Load held, uncached \(TTL 0\) \| [\d,]+ req\/s, p50 [\d.]+ ms, p99 [\d.]+ ms, 0 errors/);
  expect(out).toMatch(/\| Load held, cached \(default TTL\) \| [\d,]+ req\/s/);
  expect(out).toMatch(/\| 2,000 more requests \(uncached\) \| RSS [\d.]+ → [\d.]+ → [\d.]+ MB/);
  expect(out).toMatch(/\| Faults survived \| 2 Redis kill -9\/restart cycles under 50 keep-alive viewers .*: 0 crashes, 0 × 5xx/);
  expect(out).toMatch(/\| Bad inputs tried \| 200 generated requests .*\(0 × 5xx\)/);
  expect(out).toMatch(/\| Nothing lost \| keyspace hash of the \d+ keys under `soak:` identical/);
  expect(out).toContain('[soak] passed');
});
