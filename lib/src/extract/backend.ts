/**
 * TensorFlow.js backend for the vision encoder: wasm (SIMD, about 4x the pure-JS `cpu` backend here)
 * when it initialises, else `cpu`. Native tfjs-node backends cannot be installed on these machines.
 * Returns the backend that actually runs, which goes into the extractor id's provenance.
 */
import * as tf from '@tensorflow/tfjs';

let chosen: Promise<string> | undefined;

export function initTfBackend(): Promise<string> {
  chosen ??= (async () => {
    const current = tf.getBackend();
    if (current === 'wasm' || current === 'tensorflow') return current;
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return tf.getBackend();
      }
    } catch {
      // wasm binary missing or failed to instantiate: fall through to the portable backend.
    }
    await tf.setBackend('cpu');
    await tf.ready();
    return tf.getBackend();
  })();
  return chosen;
}
