import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assembleLuaScript, LuaScript } from '../src/sources/bullmq/lua-script';
import { BULLMQ_NATIVE_STATES } from '../src/sources/bullmq/native-states';
import { FIELD_NAMES } from '../src/sources/bullmq/snapshot-script';

/**
 * The BullMQ scripts share fragments from `src/sources/bullmq/includes/` through `--- @include "name"` lines. These
 * tests pin the include mechanism (on the real scripts and on fixtures in a temp dir) and that the Lua list of native
 * states is the TypeScript one, in the same order (the scripts return counts in that order).
 */

const BULLMQ_DIR = path.join(__dirname, '../src/sources/bullmq');
const SCRIPTS = ['snapshot.lua', 'queue-stats.lua'];
const FLAGS = '#!lua flags=no-writes';

/** The string items of `local <name> = {...}` in a Lua source, in order. */
function luaStringTable(source: string, name: string): string[] {
  const m = new RegExp(`^local ${name} = \\{([^}]*)\\}`, 'm').exec(source);
  if (!m) {
    throw new Error(`no "local ${name} = {...}" table`);
  }
  return m[1].split(',').map((item) => {
    const s = /^\s*'([^']*)'\s*$/.exec(item) ?? /^\s*"([^"]*)"\s*$/.exec(item);
    if (!s) {
      throw new Error(`${name}: not a string literal: ${item}`);
    }
    return s[1];
  });
}

function luaBoolTable(source: string, name: string): boolean[] {
  const m = new RegExp(`^local ${name} = \\{([^}]*)\\}`, 'm').exec(source);
  if (!m) {
    throw new Error(`no "local ${name} = {...}" table`);
  }
  return m[1].split(',').map((item) => {
    const v = item.trim();
    if (v !== 'true' && v !== 'false') {
      throw new Error(`${name}: not a boolean: ${item}`);
    }
    return v === 'true';
  });
}

function countOf(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

describe('native states: Lua and TypeScript agree', () => {
  const fragment = fs.readFileSync(path.join(BULLMQ_DIR, 'includes/native-states.lua'), 'utf8');

  it('includes/native-states.lua lists BULLMQ_NATIVE_STATES in the same order', () => {
    expect(luaStringTable(fragment, 'NATIVE')).toEqual([...BULLMQ_NATIVE_STATES]);
  });

  it('marks exactly active, wait and paused as lists (BullMQ keeps the others in sorted sets)', () => {
    const isList = luaBoolTable(fragment, 'IS_LIST');
    expect(isList).toHaveLength(BULLMQ_NATIVE_STATES.length);
    expect(BULLMQ_NATIVE_STATES.filter((_, i) => isList[i])).toEqual(['active', 'wait', 'paused']);
  });

  it.each(SCRIPTS)('%s gets the list only from the fragment, exactly once', (file) => {
    const own = fs.readFileSync(path.join(BULLMQ_DIR, file), 'utf8');
    expect(own).not.toMatch(/^local (NATIVE|IS_LIST) =/m);
    expect(own).not.toMatch(/'waiting-children'/);
    const assembled = new LuaScript('x', file).source;
    expect(countOf(assembled, 'local NATIVE = {')).toBe(1);
    expect(countOf(assembled, 'local IS_LIST = {')).toBe(1);
    expect(countOf(assembled, 'local function countQueue(')).toBe(1);
    expect(luaStringTable(assembled, 'NATIVE')).toEqual([...BULLMQ_NATIVE_STATES]);
  });
});

describe('job fields and the other shared fragments', () => {
  it('includes/job-fields.lua lists FIELD_NAMES in the same order (the reader maps replies by position)', () => {
    const fragment = fs.readFileSync(path.join(BULLMQ_DIR, 'includes/job-fields.lua'), 'utf8');
    expect(luaStringTable(fragment, 'FIELDS')).toEqual([...FIELD_NAMES]);
  });

  it.each(['snapshot.lua', 'job-detail.lua'])('%s takes fields, states and cut() from the fragments only', (file) => {
    const own = fs.readFileSync(path.join(BULLMQ_DIR, file), 'utf8');
    expect(own).not.toMatch(/^local (FIELDS|NATIVE|IS_LIST) =|^local function cut\(/m);
    const assembled = new LuaScript('x', file).source;
    expect(countOf(assembled, 'local FIELDS = {')).toBe(1);
    expect(countOf(assembled, 'local function cut(')).toBe(1);
    expect(countOf(assembled, 'local NATIVE = {')).toBe(1);
    expect(assembled).not.toMatch(/@include/);
    expect(assembled.split('\n')[0]).toBe(FLAGS);
  });
});

describe('LuaScript include expansion on the real scripts', () => {
  it.each(SCRIPTS)('%s: no include line left, flags line first and only there', (file) => {
    const source = new LuaScript('x', file).source;
    expect(source).not.toMatch(/@include/);
    expect(source.split('\n')[0]).toBe(FLAGS);
    expect(countOf(source, '#!lua')).toBe(1);
    // The source file itself did use includes, so the check above is not vacuous.
    expect(fs.readFileSync(path.join(BULLMQ_DIR, file), 'utf8')).toMatch(/^--- @include "count-queue"$/m);
  });

  it('fragments carry no flags line', () => {
    for (const f of fs.readdirSync(path.join(BULLMQ_DIR, 'includes'))) {
      expect(fs.readFileSync(path.join(BULLMQ_DIR, 'includes', f), 'utf8')).not.toMatch(/#!lua/);
    }
  });

  it('the Redis < 7 variant is the same script without the flags line', () => {
    const script = new LuaScript('jobscopeTest', 'queue-stats.lua');
    const sent: Record<number, string> = {};
    for (const major of [6, 7]) {
      const fake = {
        defineCommand: (_name: string, def: { lua: string }) => {
          sent[major] = def.lua;
        },
      };
      script.define(fake as never, major);
    }
    expect(sent[7]).toBe(script.source);
    expect(sent[6]).toBe(script.source.slice(FLAGS.length + 1));
    expect(sent[6]).not.toMatch(/#!lua/);
  });
});

describe('assembleLuaScript on fixtures', () => {
  let dir: string;

  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobscope-lua-includes-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('replaces include lines recursively and keeps the flags line first', () => {
    write('includes/a.lua', '--- @include "b"\nlocal A = B + 1\n');
    write('includes/b.lua', 'local B = 1\n');
    write('main.lua', `${FLAGS}\n-- main\n--- @include "a"\nreturn A\n`);
    expect(assembleLuaScript('main.lua', dir)).toBe(`${FLAGS}\n-- main\nlocal B = 1\nlocal A = B + 1\nreturn A\n`);
  });

  it('includes a fragment once even when several files ask for it', () => {
    write('includes/common.lua', 'local COMMON = 42\n');
    write('includes/x.lua', '--- @include "common"\nlocal X = COMMON\n');
    write('includes/y.lua', '--- @include "common"\nlocal Y = COMMON\n');
    write('main.lua', `${FLAGS}\n--- @include "x"\n--- @include "common"\n  ---  @include "y"\nreturn X + Y\n`);
    const out = assembleLuaScript('main.lua', dir);
    expect(countOf(out, 'local COMMON = 42')).toBe(1);
    expect(out.indexOf('local COMMON')).toBeLessThan(out.indexOf('local X'));
    expect(out).toContain('local Y = COMMON');
    expect(out).not.toMatch(/@include/);
  });

  it('names a missing fragment, the file it was expected at and who asked for it', () => {
    write('includes/a.lua', '--- @include "nope"\n');
    write('main.lua', `${FLAGS}\n--- @include "a"\n`);
    expect(() => assembleLuaScript('main.lua', dir)).toThrow(
      'Lua script main.lua: included fragment "nope" (includes/nope.lua, from includes/a.lua) not found'
    );
  });

  it('fails at load time through LuaScript for a missing fragment', () => {
    // LuaScript resolves against its own folder; a file name that walks out to the fixture dir exercises the same path.
    write('main.lua', `${FLAGS}\n--- @include "does-not-exist"\n`);
    const rel = path.relative(BULLMQ_DIR, path.join(dir, 'main.lua'));
    expect(() => new LuaScript('x', rel)).toThrow(/included fragment "does-not-exist" .* not found/);
  });

  it('rejects cycles, flags lines in fragments, bad names and malformed directives', () => {
    write('includes/p.lua', '--- @include "q"\n');
    write('includes/q.lua', '--- @include "p"\n');
    write('includes/flagged.lua', `${FLAGS}\nlocal F = 1\n`);
    write('cycle.lua', `${FLAGS}\n--- @include "p"\n`);
    write('flagged.lua', `${FLAGS}\n--- @include "flagged"\n`);
    write('badname.lua', `${FLAGS}\n--- @include "../secret"\n`);
    write('malformed.lua', `${FLAGS}\n--- @include count-queue\n`);
    write('late-flags.lua', `-- first\n${FLAGS}\n`);
    expect(() => assembleLuaScript('cycle.lua', dir)).toThrow('include cycle p -> q -> p');
    expect(() => assembleLuaScript('flagged.lua', dir)).toThrow('fragment includes/flagged.lua must not contain a #!lua line');
    expect(() => assembleLuaScript('badname.lua', dir)).toThrow('invalid fragment name "../secret"');
    expect(() => assembleLuaScript('malformed.lua', dir)).toThrow('malformed include');
    expect(() => assembleLuaScript('late-flags.lua', dir)).toThrow('only allowed as the first line');
  });

  it('leaves a script without includes or flags as it is', () => {
    write('plain.lua', 'return 1\n');
    expect(assembleLuaScript('plain.lua', dir)).toBe('return 1\n');
  });
});
