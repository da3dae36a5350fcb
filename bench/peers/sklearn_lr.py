"""scikit-learn peer: standardised L2 logistic regression with class_weight='balanced'.

Fits on the train rows (with their sampling weights) for C in a small grid, keeps the C with the best
weighted average precision on the calibration window, and writes test scores.
Usage: sklearn_lr.py EXPORT_DIR OUT_DIR
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import Timer, load_export, require, write_result  # noqa: E402

C_GRID = (0.01, 0.1, 1.0)


def main(export_dir, out_dir):
    require('numpy', 'python3-numpy')
    sklearn = require('sklearn', 'python3-sklearn')
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score
    from sklearn.preprocessing import StandardScaler
    _, parts = load_export(export_dir)
    tr, ca, te = parts['train'], parts['calib'], parts['test']
    best = None
    with Timer() as t:
        scaler = StandardScaler().fit(tr['X'], sample_weight=tr['w'])
        Xtr, Xca = scaler.transform(tr['X']), scaler.transform(ca['X'])
        for C in C_GRID:
            m = LogisticRegression(C=C, class_weight='balanced', max_iter=300, solver='lbfgs')
            m.fit(Xtr, tr['y'], sample_weight=tr['w'])
            ap = average_precision_score(ca['y'], m.decision_function(Xca), sample_weight=ca['w'])
            if best is None or ap > best[0]:
                best = (ap, C, m)
    ap, C, model = best
    scores = model.decision_function(scaler.transform(te['X']))
    write_result(out_dir, scores, t.seconds, {
        'model': 'sklearn_logistic', 'version': sklearn.__version__, 'C': C, 'C_grid': list(C_GRID),
        'best_calib_ap': float(ap), 'class_weight': 'balanced', 'train_rows': int(len(tr['y'])),
    })


if __name__ == '__main__':
    if len(sys.argv) != 3:
        raise SystemExit('usage: sklearn_lr.py EXPORT_DIR OUT_DIR')
    main(sys.argv[1], sys.argv[2])
