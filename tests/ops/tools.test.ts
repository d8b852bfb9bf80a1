import { toolState } from './tools';

describe('host tool detection', () => {
  const saved = process.env.CI;
  afterEach(() => {
    if (saved === undefined) delete process.env.CI;
    else process.env.CI = saved;
  });

  it('finds a tool on PATH', () => {
    expect(toolState('sh', 'dash')).toMatchObject({ kind: 'present' });
  });

  it('skips, naming the Debian package, when a tool is missing outside CI', () => {
    delete process.env.CI;
    expect(toolState('jobscope-no-such-tool', 'some-package')).toEqual({
      kind: 'skip',
      reason: 'jobscope-no-such-tool not found on PATH (Debian package "some-package": apt-get install -y some-package)',
    });
  });

  it('fails when a tool is missing and CI is set', () => {
    process.env.CI = 'true';
    expect(toolState('jobscope-no-such-tool', 'some-package').kind).toBe('fail');
  });
});
