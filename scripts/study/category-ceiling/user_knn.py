from base import *  # noqa: F403
import pickle
F = pickle.load(open('/tmp/rx/knnfeats.pkl','rb'))
base = dict(objective='binary', learning_rate=0.1, num_leaves=31, min_data_in_leaf=100, verbose=-1, num_threads=2)
for name, col in F.items():
    Xa = np.column_stack([X, col])
    print(name, end=' ')
    fit(base, 100, Xtr=Xa[tr], Xte=Xa[te])
Xa = np.column_stack([X] + list(F.values()))
print('all', end=' ')
fit(base, 100, Xtr=Xa[tr], Xte=Xa[te])
