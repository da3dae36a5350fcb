import type { VideoTable } from '../data/table.js';
import type { FittedPreprocessor } from '../features/preprocess.js';
import { checkTableDims } from '../features/preprocess.js';
import { VigilError } from '../util/errors.js';
import { getTower } from './towers/registry.js';
import { getPooling } from './pooling/registry.js';
import { getFusion } from './fusion/registry.js';
import type { ModelConfig } from './config.js';
import { presentTowers } from './presentTowers.js';
import type { FusionName, FusionNetConfig, PoolingName } from './weights.js';

/**
 * Everything that can be wrong with a model config against the data, checked before any training
 * starts: unknown tower/pooling/fusion names, a configured modality the training rows never have
 * (see presentTowers), and embedding dimensions that disagree with the fitted preprocessor.
 */
export function buildNetConfig(model: ModelConfig, fitted: FittedPreprocessor, table: VideoTable, trainRows: ArrayLike<number>): FusionNetConfig {
  if (model.towers.length === 0) throw new VigilError("'model.towers': at least one tower is required", { field: 'model.towers' });
  const seen = new Set<string>();
  for (const t of model.towers) {
    getTower(t);
    if (seen.has(t)) throw new VigilError(`'model.towers': tower '${t}' listed twice`, { field: 'model.towers' });
    seen.add(t);
  }
  getPooling(model.pooling);
  getFusion(model.fusion);
  checkTableDims(fitted, table);
  // Callers that want absent modalities left out narrow the towers with presentTowers first; here a
  // configured tower without data is a config error, not something to drop silently.
  const { dropped } = presentTowers(table, trainRows, model.towers);
  if (dropped.length > 0) {
    const d = dropped[0];
    throw new VigilError(`'model.towers': tower '${d.tower}' is configured but ${d.reason}`, { field: 'model.towers' });
  }
  return {
    // The registries accepted these names above.
    towers: [...model.towers], pooling: model.pooling as PoolingName, fusion: model.fusion as FusionName,
    hidden: model.hidden, attentionDim: model.attentionDim, fusionHidden: model.fusionHidden,
    metaDim: fitted.dims.meta, frameDim: fitted.dims.frame, audioDim: fitted.dims.audio, textDim: fitted.dims.text,
  };
}
