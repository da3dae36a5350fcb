// Public surface of the Vigil library (used by the CLI, the notebooks and other tools).
export * from './util/errors.js';
export * from './util/rng.js';
export * from './data/table.js';
export * from './config.js';
export * from './split/types.js';
export * from './data/schema.js';
export * from './data/parquet.js';
export * from './data/arrow.js';
export * from './data/profile.js';
export * from './simulate/presets.js';
export * from './simulate/generate.js';
export * from './simulate/profile.js';
export { difficultyCheck, formatDifficulty, channelCoverage, formatCoverage, type DifficultyReport, type ChannelCoverage, type OperatingPoint } from './simulate/check.js';
export * from './simulate/write.js';
