"""Text peer: scikit-learn TF-IDF (word 1-2 + char 2-5) + logistic regression, C picked on calib.

Usage: text_lr.py EXPORT_DIR OUT_DIR (EXPORT_DIR holds text.json, see _text.py).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import Timer, require, write_result  # noqa: E402
from _text import load_text_export, tfidf_blocks  # noqa: E402

C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)


def main(export_dir, out_dir):
    sklearn = require('sklearn', 'python3-sklearn')
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score
    parts = load_text_export(export_dir)
    with Timer() as t:
        X, dim = tfidf_blocks(parts)
        best = None
        for C in C_GRID:
            m = LogisticRegression(C=C, max_iter=2000, solver='liblinear')
            m.fit(X['train'], parts['train']['y'], sample_weight=parts['train']['w'])
            ap = average_precision_score(parts['calib']['y'], m.decision_function(X['calib']), sample_weight=parts['calib']['w'])
            if best is None or ap > best[0]:
                best = (ap, C, m)
    ap, C, model = best
    write_result(out_dir, model.decision_function(X['test']), t.seconds, {
        'model': 'sklearn_tfidf_logistic', 'version': sklearn.__version__, 'C': C, 'C_grid': list(C_GRID),
        'best_calib_ap': float(ap), 'features': int(dim), 'train_rows': int(len(parts['train']['y'])),
    })


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: text_lr.py EXPORT_DIR OUT_DIR')
    main(sys.argv[1], sys.argv[2])
