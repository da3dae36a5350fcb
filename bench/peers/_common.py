"""Shared reading/writing for the peer models of `vigil bench`.

The features come from Vigil's own preprocessing, exported as raw little-endian float32 matrices
(one file per split part) plus header.json; only numpy is needed to read them (no pyarrow).
"""
import json
import os
import sys
import time

# OpenMP threads that spin while waiting are fast on an idle machine and ruinous on a shared one
# (measured here: 9 s vs 0.5 s for the same XGBoost fit at load 14 on 2 cores). Passive waiting is
# the fair setting for a benchmark that shares its machine; set OMP_WAIT_POLICY to override. It must
# be set before the first OpenMP library loads, i.e. before xgboost or sklearn are imported.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

# Exit status that tells the runner "skipped: a package is missing", as opposed to a failure.
SKIP_EXIT = 3


def require(module, apt_package):
    """Import `module`, or print a clear SKIP line naming the Debian package and exit SKIP_EXIT."""
    try:
        return __import__(module)
    except ImportError as e:  # a missing package is a skip, not a crash
        print(f"SKIP: python package '{module}' is not available ({e}); install it with: apt-get install -y {apt_package}",
              file=sys.stderr)
        sys.exit(SKIP_EXIT)


def load_export(export_dir):
    """header.json + {part: {X, y, w, groups}} for the parts train, calib, test."""
    np = require('numpy', 'python3-numpy')
    with open(os.path.join(export_dir, 'header.json'), encoding='utf-8') as f:
        header = json.load(f)
    if header.get('dtype') != 'float32' or header.get('byte_order') != 'little':
        raise SystemExit(f"unsupported export: dtype={header.get('dtype')} byte_order={header.get('byte_order')}")
    d = int(header['d'])
    parts = {}
    for name, p in header['parts'].items():
        X = np.fromfile(os.path.join(export_dir, p['file']), dtype='<f4')
        if X.size != p['rows'] * d:
            raise SystemExit(f"{p['file']}: {X.size} values, expected {p['rows']} x {d}")
        parts[name] = {
            'X': X.reshape(p['rows'], d),
            'y': np.asarray(p['labels'], dtype=np.int32),
            'w': np.asarray(p['weights'], dtype=np.float64),
            'groups': np.asarray(p['group_ids'], dtype=np.int64),
        }
    return header, parts


def write_result(out_dir, scores, train_seconds, info):
    """Test scores as little-endian float32 (in the export's test-row order) and result.json."""
    np = require('numpy', 'python3-numpy')
    os.makedirs(out_dir, exist_ok=True)
    tmp = os.path.join(out_dir, '.scores.f32.tmp')
    np.asarray(scores, dtype='<f4').tofile(tmp)
    os.replace(tmp, os.path.join(out_dir, 'scores.f32'))
    result = dict(info)
    result['train_seconds'] = train_seconds
    result['n_test'] = int(len(scores))
    tmp = os.path.join(out_dir, '.result.json.tmp')
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(result, f, indent=2)
    os.replace(tmp, os.path.join(out_dir, 'result.json'))


class Timer:
    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
