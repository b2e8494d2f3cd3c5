/**
 * @module lessons/ids
 * The lesson ids, in order, without loading the lessons: what the command line checks
 * `--lesson` against.
 */
export const LESSON_IDS: readonly string[] = ['hello-world', 'genserver', 'pubsub', 'netsplit', 'tracing'];
