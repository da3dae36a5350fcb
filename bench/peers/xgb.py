"""XGBoost peer: gradient-boosted trees on Vigil's exported pooled features.

Trains on the train rows (with their sampling weights), early-stops on weighted AUC-PR of the
calibration window, and writes test scores. Usage: xgb.py EXPORT_DIR OUT_DIR
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import Timer, load_export, require, write_result  # noqa: E402


def main(export_dir, out_dir):
    require('numpy', 'python3-numpy')
    xgb = require('xgboost', 'python3-xgboost')
    _, parts = load_export(export_dir)
    tr, ca, te = parts['train'], parts['calib'], parts['test']
    threads = os.cpu_count() or 1
    params = {
        'objective': 'binary:logistic', 'eval_metric': 'aucpr', 'tree_method': 'hist',
        'max_depth': 6, 'eta': 0.1, 'subsample': 0.8, 'colsample_bytree': 0.5,
        'min_child_weight': 1.0, 'nthread': threads, 'seed': 7,
    }
    with Timer() as t:
        dtrain = xgb.DMatrix(tr['X'], label=tr['y'], weight=tr['w'])
        dcalib = xgb.DMatrix(ca['X'], label=ca['y'], weight=ca['w'])
        booster = xgb.train(params, dtrain, num_boost_round=400, evals=[(dcalib, 'calib')],
                            early_stopping_rounds=30, verbose_eval=False)
    best = int(booster.best_iteration)
    scores = booster.predict(xgb.DMatrix(te['X']), iteration_range=(0, best + 1))
    write_result(out_dir, scores, t.seconds, {
        'model': 'xgboost', 'version': xgb.__version__, 'best_iteration': best + 1,
        'best_calib_aucpr': float(booster.best_score), 'params': params, 'train_rows': int(len(tr['y'])),
    })


if __name__ == '__main__':
    if len(sys.argv) != 3:
        raise SystemExit('usage: xgb.py EXPORT_DIR OUT_DIR')
    main(sys.argv[1], sys.argv[2])
