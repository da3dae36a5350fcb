// Public surface of the Vigil library (used by the CLI, the notebooks and other tools).
export * from './util/errors.js';
export * from './util/rng.js';
export * from './data/table.js';
export * from './config.js';
export * from './split/types.js';
export * from './data/schema.js';
export * from './data/parquet.js';
export * from './data/arrow.js';
