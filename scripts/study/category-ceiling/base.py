import numpy as np, pandas as pd, lightgbm as lgb, sys, time
P='/tmp/rd/cat'
meta = pd.read_csv(P+'.csv', dtype={'member':str,'candidate':str})
X = np.fromfile(P+'.f32', dtype=np.float32).reshape(len(meta), 29)
T = meta.cutoff.max()
tr = (meta.cutoff < T).values; te = ~tr
def recall(scores, m=meta[te].reset_index(drop=True), K=10):
    d = m.assign(s=scores)
    d = d.sort_values(['member','s'], ascending=[True, False])
    d['r'] = d.groupby('member').cumcount()
    top = d[d.r < K]
    hits = top.groupby('member').label.sum()
    tl = d.groupby('member').truth_len.first()
    rec = (hits / tl).mean()
    # ndcg
    top = top.assign(g=top.label / np.log2(top.r + 2))
    dcg = top.groupby('member').g.sum()
    idcg = tl.clip(upper=K).map(lambda n: (1/np.log2(np.arange(n)+2)).sum())
    return rec, (dcg/idcg).mean(), len(tl)
print('candidate ceiling', (meta[te].groupby('member').label.sum() / meta[te].groupby('member').truth_len.first()).mean())
def fit(params, rounds, Xtr=None, ytr=None, w=None, Xte=None, group=None):
    Xtr = X[tr] if Xtr is None else Xtr
    ytr = meta.label.values[tr] if ytr is None else ytr
    Xte = X[te] if Xte is None else Xte
    t=time.time()
    ds = lgb.Dataset(Xtr, ytr, weight=w, group=group)
    b = lgb.train(params, ds, rounds)
    s = b.predict(Xte)
    print(params.get('objective'), rounds, params.get('num_leaves'), 'R/N', recall(s), f'{time.time()-t:.0f}s', flush=True)
    return b
if __name__ == '__main__':
    base = dict(objective='binary', learning_rate=0.1, num_leaves=31, min_data_in_leaf=100, verbose=-1, num_threads=2)
    fit(base, 100)
    fit(dict(base, num_leaves=63, learning_rate=0.05), 400)
