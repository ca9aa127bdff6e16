import numpy as np, pandas as pd, lightgbm as lgb
import base as B
meta = pd.read_csv('/tmp/rd/cat2.csv', dtype={'member':str,'candidate':str})
X = np.fromfile('/tmp/rd/cat2.f32', dtype=np.float32).reshape(len(meta), 29)
T = meta.cutoff.max(); te = (meta.cutoff == T).values
mt = meta[te].reset_index(drop=True)
p = dict(objective='binary', learning_rate=0.1, num_leaves=31, min_data_in_leaf=100, verbose=-1, num_threads=2)
for name, cs in [('base4', [11284,11298,11312,11326]), ('base4+extra', [11284,11298,11312,11326,11333,11340,11347]), ('extra', [11333,11340,11347]), ('T-14,T-7', [11340,11347]), ('T-28,T-14', [11326, 11340]), ('T-21', [11333]), ('T-14', [11340])]:
    trm = meta.cutoff.isin(cs).values
    b = lgb.train(p, lgb.Dataset(X[trm], meta.label.values[trm]), 100)
    print(name, B.recall(b.predict(X[te]), m=mt), flush=True)
