"""Shared part of the text peers: raw texts per split part and the TF-IDF both peers fit.

The export (`text.json`) holds, per part (train, calib, test), the raw texts with labels and weights,
in Vigil's row order. The vectoriser is the published recipe for this kind of corpus: word 1-2-grams
and within-word character 2-5-grams, sublinear TF-IDF, min document frequency 2, fitted on train.
"""
import json
import os

from _common import require


def load_text_export(export_dir):
    np = require('numpy', 'python3-numpy')
    with open(os.path.join(export_dir, 'text.json'), encoding='utf-8') as f:
        raw = json.load(f)
    parts = {}
    for name in ('train', 'calib', 'test'):
        p = raw['parts'][name]
        parts[name] = {
            'texts': [t or '' for t in p['texts']],
            'y': np.asarray(p['labels'], dtype=np.int32),
            'w': np.asarray(p['weights'], dtype=np.float64),
        }
    return parts


def tfidf_blocks(parts):
    """Fit word and char TF-IDF on train; return {part: sparse matrix} and the vocabulary size."""
    require('sklearn', 'python3-sklearn')
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    char = TfidfVectorizer(analyzer='char_wb', ngram_range=(2, 5), min_df=2, sublinear_tf=True)
    tr = parts['train']['texts']
    out = {'train': hstack([word.fit_transform(tr), char.fit_transform(tr)]).tocsr()}
    for name in ('calib', 'test'):
        t = parts[name]['texts']
        out[name] = hstack([word.transform(t), char.transform(t)]).tocsr()
    return out, out['train'].shape[1]
