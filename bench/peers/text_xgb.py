"""Text peer: XGBoost on the same sparse TF-IDF (word 1-2 + char 2-5), early stopping on calib.

Usage: text_xgb.py EXPORT_DIR OUT_DIR (EXPORT_DIR holds text.json, see _text.py).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import Timer, require, write_result  # noqa: E402
from _text import load_text_export, tfidf_blocks  # noqa: E402


def main(export_dir, out_dir):
    xgb = require('xgboost', 'python3-xgboost')
    parts = load_text_export(export_dir)
    with Timer() as t:
        X, dim = tfidf_blocks(parts)
        dtr = xgb.DMatrix(X['train'], label=parts['train']['y'], weight=parts['train']['w'])
        dca = xgb.DMatrix(X['calib'], label=parts['calib']['y'], weight=parts['calib']['w'])
        params = {'objective': 'binary:logistic', 'eval_metric': 'aucpr', 'eta': 0.05, 'max_depth': 6,
                  'subsample': 0.8, 'colsample_bytree': 0.5, 'tree_method': 'hist', 'nthread': 2, 'seed': 1}
        booster = xgb.train(params, dtr, num_boost_round=2000, evals=[(dca, 'calib')],
                            early_stopping_rounds=100, verbose_eval=False)
    best = int(booster.best_iteration) + 1
    scores = booster.predict(xgb.DMatrix(X['test']), iteration_range=(0, best))
    write_result(out_dir, scores, t.seconds, {
        'model': 'xgboost_tfidf', 'version': xgb.__version__, 'best_iteration': best, 'eta': 0.05,
        'features': int(dim), 'train_rows': int(len(parts['train']['y'])),
    })


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: text_xgb.py EXPORT_DIR OUT_DIR')
    main(sys.argv[1], sys.argv[2])
