import * as tf from '@tensorflow/tfjs';
import { dirname, join } from 'node:path';
import { VigilError } from '../util/errors.js';

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

/**
 * Native TensorFlow bindings register the 'tensorflow' backend when loaded. They are optional: their
 * install downloads libtensorflow, which fails on machines without that host. A package installed
 * under that name that is really plain tfjs (an npm override) is not a native binding.
 */
function tryNative(pkg: string): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const meta = require(`${pkg}/package.json`) as { name?: string };
    if (meta.name !== pkg) return false;
    require(pkg);
    return tf.findBackend('tensorflow') !== undefined || tf.findBackendFactory('tensorflow') !== undefined;
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    // In Node the .wasm binaries are read from the package's dist folder, not fetched over HTTP.
    wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

/**
 * Choose and activate the TF.js backend: tfjs-node-gpu → tfjs-node → wasm → cpu for 'auto', or the
 * named one. Returns the backend name actually in use (recorded in the run manifest).
 */
export async function initBackend(pref: BackendPreference = 'auto'): Promise<string> {
  if (pref === 'auto' || pref === 'tensorflow') {
    if ((tryNative('@tensorflow/tfjs-node-gpu') || tryNative('@tensorflow/tfjs-node')) && (await tf.setBackend('tensorflow'))) {
      await tf.ready();
      return tf.getBackend();
    }
    if (pref === 'tensorflow') {
      throw new VigilError("'train.backend': 'tensorflow' requested but neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed", { field: 'train.backend' });
    }
  }
  if (pref === 'auto' || pref === 'wasm') {
    if (await tryWasm()) { await tf.ready(); return tf.getBackend(); }
    if (pref === 'wasm') throw new VigilError("'train.backend': the wasm backend failed to load", { field: 'train.backend' });
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return tf.getBackend();
}
