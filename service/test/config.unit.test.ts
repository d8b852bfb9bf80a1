import { ConfigError, loadConfig } from '../src/config';

describe('loadConfig', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      prefixes: ['bull'],
      queues: null,
      apiToken: null,
      snapshotTtlMs: 1000,
    });
  });

  it('reads lists and numbers from strings', () => {
    const c = loadConfig({ JOBSCOPE_PREFIXES: ' bull , {tagged} ,', JOBSCOPE_QUEUES: 'a,b', JOBSCOPE_SNAPSHOT_TTL_MS: '0' });
    expect(c).toMatchObject({ prefixes: ['bull', '{tagged}'], queues: ['a', 'b'], snapshotTtlMs: 0 });
  });

  it.each([
    ['PORT', 'http'],
    ['PORT', '70000'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['JOBSCOPE_SNAPSHOT_TTL_MS', '-1'],
    ['JOBSCOPE_SNAPSHOT_TTL_MS', 'fast'],
    ['JOBSCOPE_DISCOVERY_INTERVAL_MS', '500'],
    ['JOBSCOPE_QUEUES', 'ok,bad:name'],
    ['JOBSCOPE_API_TOKEN', 'short'],
    ['LOG_LEVEL', 'loud'],
  ])('a bad %s (%s) is a ConfigError naming the variable', (variable, value) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`${variable}:`);
  });

  it('reads Sentinel settings, the audit key and its off switch', () => {
    const c = loadConfig({ JOBSCOPE_REDIS_SENTINELS: '10.0.0.1:26379, sentinel-b:26380', JOBSCOPE_REDIS_SENTINEL_NAME: 'mymaster' });
    expect(c.redisSentinel).toEqual({
      sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: 'sentinel-b', port: 26380 }],
      name: 'mymaster',
      password: null,
    });
    expect(loadConfig({}).redisSentinel).toBeNull();
    expect(loadConfig({}).auditKey).toBe('jobscope:audit');
    expect(loadConfig({ JOBSCOPE_AUDIT_KEY: 'off' }).auditKey).toBeNull();
  });

  it('reads Cluster seed nodes', () => {
    expect(loadConfig({ JOBSCOPE_REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001' }).redisClusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
    ]);
    expect(loadConfig({}).redisClusterNodes).toBeNull();
  });

  it.each([
    [{ JOBSCOPE_REDIS_SENTINELS: 'a:1' }, 'JOBSCOPE_REDIS_SENTINEL_NAME:'],
    [{ JOBSCOPE_REDIS_SENTINEL_NAME: 'm' }, 'JOBSCOPE_REDIS_SENTINELS:'],
    [{ JOBSCOPE_REDIS_SENTINELS: 'no-port', JOBSCOPE_REDIS_SENTINEL_NAME: 'm' }, 'JOBSCOPE_REDIS_SENTINELS:'],
    [{ JOBSCOPE_REDIS_SENTINELS: 'a:1', JOBSCOPE_REDIS_SENTINEL_NAME: 'm', REDIS_URL: 'rediss://x:6380' }, 'JOBSCOPE_REDIS_SENTINELS:'],
    [{ JOBSCOPE_AUDIT_KEY: 'has space' }, 'JOBSCOPE_AUDIT_KEY:'],
    [{ JOBSCOPE_REDIS_CLUSTER_NODES: 'a:1,no-port' }, 'JOBSCOPE_REDIS_CLUSTER_NODES:'],
    [{ JOBSCOPE_REDIS_CLUSTER_NODES: 'a:1', REDIS_URL: 'redis://x:6379/2' }, 'JOBSCOPE_REDIS_CLUSTER_NODES: a Redis Cluster has only database 0'],
    [{ JOBSCOPE_REDIS_CLUSTER_NODES: 'a:1', JOBSCOPE_REDIS_SENTINELS: 'b:2', JOBSCOPE_REDIS_SENTINEL_NAME: 'm' }, 'cannot be combined'],
  ])('Sentinel, Cluster and audit settings: %j is a ConfigError naming %s', (env, named) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(named);
  });
});
