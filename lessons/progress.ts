/**
 * @module lessons/progress
 * Where each lesson stands, kept in `~/.playground/progress.json` (`$PLAYGROUND_HOME`
 * replaces `~/.playground`), so that a learner who leaves and comes back resumes at the
 * step they left.
 *
 * The file is small JSON: the lesson last opened and, per lesson, the current step and
 * the steps whose check passed. A missing or unreadable file is an empty progress,
 * never an error; writes go to a temporary file renamed into place, so a crash never
 * leaves half a file.
 *
 * @example
 * //=> { "current": "pubsub", "lessons": { "pubsub": { "step": 4, "passed": [0, 1, 2, 3] } } }
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { playgroundHome } from '../src/env.ts';

export interface LessonProgress {
  /** Index of the current step; equal to the number of steps once the lesson is done. */
  step: number;
  /** Indexes of the steps whose check passed. */
  passed: number[];
}

export interface Progress {
  current?: string;
  lessons: Record<string, LessonProgress>;
}

/** The progress file of this OS process. */
export function progressFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(playgroundHome(env), 'progress.json');
}

export function loadProgress(file: string): Progress {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return { lessons: {} };
  }
  const progress: Progress = { lessons: {} };
  if (raw === null || typeof raw !== 'object') return progress;
  const { current, lessons } = raw as { current?: unknown; lessons?: unknown };
  if (typeof current === 'string') progress.current = current;
  if (lessons === null || typeof lessons !== 'object') return progress;
  for (const [id, entry] of Object.entries(lessons as Record<string, unknown>)) {
    const { step, passed } = (entry ?? {}) as { step?: unknown; passed?: unknown };
    if (!Number.isInteger(step) || (step as number) < 0) continue;
    const ok = Array.isArray(passed) ? passed.filter((n): n is number => Number.isInteger(n) && n >= 0) : [];
    progress.lessons[id] = { step: step as number, passed: [...new Set(ok)].sort((a, b) => a - b) };
  }
  return progress;
}

export function saveProgress(file: string, progress: Progress): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(progress, null, 2) + '\n');
  renameSync(tmp, file);
}
