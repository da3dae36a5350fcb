"""XGBoost peer: gradient-boosted trees on Vigil's exported pooled features.

Trains on the train rows (with their sampling weights) with a small learning rate and many rounds,
early-stops on weighted AUC-PR of the calibration window, and writes test scores. The defaults
(eta 0.05, up to 2,000 rounds, stop after 100 rounds without improvement) give the trees room to
converge rather than stopping them at a fixed, short budget.
Usage: xgb.py EXPORT_DIR OUT_DIR [--eta 0.05] [--rounds 2000] [--early-stop 100] [--max-depth 6]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import Timer, load_export, require, write_result  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(prog='xgb.py', description='XGBoost peer of vigil bench')
    p.add_argument('export_dir')
    p.add_argument('out_dir')
    p.add_argument('--eta', type=float, default=0.05, help='learning rate (default 0.05)')
    p.add_argument('--rounds', type=int, default=2000, help='most boosting rounds (default 2000)')
    p.add_argument('--early-stop', type=int, default=100,
                   help='stop after this many rounds without a better calibration AUC-PR (default 100)')
    p.add_argument('--max-depth', type=int, default=6, help='tree depth (default 6)')
    a = p.parse_args(argv)
    if not 0 < a.eta <= 1:
        p.error(f'--eta: expected a number in (0, 1], got {a.eta}')
    for name in ('rounds', 'early_stop', 'max_depth'):
        if getattr(a, name) < 1:
            p.error(f"--{name.replace('_', '-')}: expected a positive integer, got {getattr(a, name)}")
    return a


def main(a):
    require('numpy', 'python3-numpy')
    xgb = require('xgboost', 'python3-xgboost')
    _, parts = load_export(a.export_dir)
    tr, ca, te = parts['train'], parts['calib'], parts['test']
    threads = os.cpu_count() or 1
    params = {
        'objective': 'binary:logistic', 'eval_metric': 'aucpr', 'tree_method': 'hist',
        'max_depth': a.max_depth, 'eta': a.eta, 'subsample': 0.8, 'colsample_bytree': 0.5,
        'min_child_weight': 1.0, 'nthread': threads, 'seed': 7,
    }
    with Timer() as t:
        dtrain = xgb.DMatrix(tr['X'], label=tr['y'], weight=tr['w'])
        dcalib = xgb.DMatrix(ca['X'], label=ca['y'], weight=ca['w'])
        booster = xgb.train(params, dtrain, num_boost_round=a.rounds, evals=[(dcalib, 'calib')],
                            early_stopping_rounds=a.early_stop, verbose_eval=False)
    best = int(booster.best_iteration)
    scores = booster.predict(xgb.DMatrix(te['X']), iteration_range=(0, best + 1))
    write_result(a.out_dir, scores, t.seconds, {
        'model': 'xgboost', 'version': xgb.__version__, 'best_iteration': best + 1,
        'best_calib_aucpr': float(booster.best_score), 'params': params, 'max_rounds': a.rounds,
        'early_stopping_rounds': a.early_stop, 'rounds_run': int(booster.num_boosted_rounds()),
        'train_rows': int(len(tr['y'])), 'features': int(tr['X'].shape[1]),
    })


if __name__ == '__main__':
    main(parse_args(sys.argv[1:]))
