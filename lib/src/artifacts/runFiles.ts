import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { writeJsonAtomic } from '../util/atomic.js';
import { VigilError } from '../util/errors.js';
import { fileSchemaError } from './issues.js';
import { manifestFileSchema } from './manifest.js';
import { metricsFileSchema } from './metrics.js';
import { policyFileSchema } from './policy.js';
import { bootstrapFileSchema } from './bootstrap.js';
import { inputRangesFileSchema } from './inputRanges.js';
import { reasonCodesFileSchema } from './reasonCodes.js';
import { referenceFileSchema } from './reference.js';
import { reportInputFileSchema } from './reportInput.js';

/**
 * The JSON files of a run folder and their schemas: the one description the writers (pipeline/,
 * export/, report/) check before writing and every reader (runs/, serve/, monitor/, report/,
 * notebook/, cli/) parses with. `preprocessor.json` and `known_content.json` are fitted state with
 * their own versioned loaders (features/preprocess.ts, split/fingerprint) and are not listed here.
 */
const SCHEMAS = {
  'manifest.json': manifestFileSchema,
  'metrics.json': metricsFileSchema,
  'policy.json': policyFileSchema,
  'bootstrap.json': bootstrapFileSchema,
  'input_ranges.json': inputRangesFileSchema,
  'reason_codes.json': reasonCodesFileSchema,
  'reference.json': referenceFileSchema,
  'report-input.json': reportInputFileSchema,
} as const;
type Schemas = typeof SCHEMAS;

export type RunFileName = keyof Schemas;
/** What a reader gets: the parsed file (keys the schema does not know are kept where it is loose). */
export type RunFile<N extends RunFileName> = z.output<Schemas[N]>;

/** Typed per file name, so `RUN_FILE_SCHEMAS[name]` parses to `RunFile<typeof name>`. */
export const RUN_FILE_SCHEMAS: { readonly [N in RunFileName]: z.ZodType<RunFile<N>, z.input<Schemas[N]>> } = SCHEMAS;

/**
 * What a writer may pass: the schema's input shape without the open `[key: string]: unknown` of
 * loose objects, so a writer's own interface (which has no index signature) type-checks against the
 * schema field by field. Records keep their key type; arrays and tuples keep their shape.
 */
export type Known<T> = T extends readonly unknown[]
  ? { [K in keyof T]: Known<T[K]> }
  : T extends object
    ? { [K in keyof T as string extends K ? (unknown extends T[K] ? never : K) : K]: Known<T[K]> }
    : T;
export type RunFileInput<N extends RunFileName> = Known<z.input<Schemas[N]>>;

/** Parse already-decoded JSON as run-folder file `name`; `source` (a path) is what the error names. */
export function parseRunFile<N extends RunFileName>(name: N, raw: unknown, source: string = name): RunFile<N> {
  const r = RUN_FILE_SCHEMAS[name].safeParse(raw);
  if (!r.success) throw fileSchemaError(name, r.error, source);
  return r.data;
}

/** Decode JSON text, failing with the file named. */
export function decodeJson(text: string, name: string, source: string = name): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new VigilError(`${source}: not valid JSON (${(e as Error).message})`, { field: name });
  }
}

/** Read and parse `dir/name`; fails naming the file when it is missing, not JSON, or off-schema. */
export function readRunFile<N extends RunFileName>(dir: string, name: N): RunFile<N> {
  const path = join(dir, name);
  if (!existsSync(path)) throw new VigilError(`run folder '${dir}' has no ${name}`, { field: name });
  return parseRunFile(name, decodeJson(readFileSync(path, 'utf8'), name, path), path);
}

/** Like readRunFile, but undefined when the (optional) file is absent. */
export function readOptionalRunFile<N extends RunFileName>(dir: string, name: N): RunFile<N> | undefined {
  return existsSync(join(dir, name)) ? readRunFile(dir, name) : undefined;
}

/**
 * Check a value a writer is about to store as `name`, as a reader will see it (after the JSON round
 * trip: NaN becomes null). A failure is a bug in the writer, reported before anything is written.
 */
export function checkRunFile<N extends RunFileName>(name: N, value: RunFileInput<N>): void {
  parseRunFile(name, JSON.parse(JSON.stringify(value)), `writing ${name}`);
}

/** Check, then write atomically (the bytes are the writer's value, not the parsed copy). */
export function writeRunFile<N extends RunFileName>(dir: string, name: N, value: RunFileInput<N>): void {
  checkRunFile(name, value);
  writeJsonAtomic(join(dir, name), value);
}
