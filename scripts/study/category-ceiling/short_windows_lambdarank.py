import numpy as np, pandas as pd, lightgbm as lgb
import base as B
meta = pd.read_csv('/tmp/rd/cat2.csv', dtype={'member':str,'candidate':str})
X = np.fromfile('/tmp/rd/cat2.f32', dtype=np.float32).reshape(len(meta), 29)
T = meta.cutoff.max(); te = (meta.cutoff == T).values
mt = meta[te].reset_index(drop=True)
p = dict(objective='lambdarank', learning_rate=0.05, num_leaves=31, min_data_in_leaf=100, verbose=-1, num_threads=2, lambdarank_truncation_level=20)
for name, cs in [('T-14,T-7', [11340,11347]), ('all7', [11284,11298,11312,11326,11333,11340,11347])]:
    trm = meta.cutoff.isin(cs).values
    m = meta[trm]; key = m.cutoff.astype(str)+':'+m.member
    g = key.ne(key.shift()).cumsum().value_counts(sort=False).sort_index().values
    b = lgb.train(p, lgb.Dataset(X[trm], meta.label.values[trm], group=g), 200)
    print('lambdarank', name, B.recall(b.predict(X[te]), m=mt), flush=True)
