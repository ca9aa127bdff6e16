from base import *  # noqa: F403
m = meta[tr]
key = m.cutoff.astype(str) + ':' + m.member
grp = key.ne(key.shift()).cumsum()
group = grp.value_counts(sort=False).sort_index().values
lr = dict(objective='lambdarank', learning_rate=0.05, num_leaves=31, min_data_in_leaf=100, verbose=-1, num_threads=2, lambdarank_truncation_level=20, eval_at=[10])
fit(lr, 200, group=group)
fit(dict(lr, objective='rank_xendcg'), 200, group=group)
base = dict(objective='binary', learning_rate=0.1, num_leaves=31, min_data_in_leaf=100, verbose=-1, num_threads=2)
fit(base, 100, w=1.0/m.truth_len.values)
