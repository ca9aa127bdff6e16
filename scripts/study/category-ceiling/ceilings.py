from base import *  # noqa: F403
m = meta[te].reset_index(drop=True)
own = X[te][:,0] > 0
# oracle restricted to own candidates
print('own ceiling', (m[own].groupby('member').label.sum() / m.groupby('member').truth_len.first()).reindex(m.member.unique()).fillna(0).mean())
s = m.label.values + 0.0
print('perfect rank R@10', recall(s))
s2 = m.label.values * own + 0.0
print('perfect own-only R@10', recall(s2))
tl = m.groupby('member').truth_len.first()
print(tl.describe())
# per cutoff evaluation: train on earlier ones
cs = sorted(meta.cutoff.unique())
base = dict(objective='binary', learning_rate=0.1, num_leaves=31, min_data_in_leaf=100, verbose=-1, num_threads=2)
for i in [2,3]:
    trm = meta.cutoff.isin(cs[:i]).values; tem = (meta.cutoff == cs[i]).values
    b = lgb.train(base, lgb.Dataset(X[trm], meta.label.values[trm]), 100)
    print('eval at', cs[i], recall(b.predict(X[tem]), m=meta[tem].reset_index(drop=True)))
