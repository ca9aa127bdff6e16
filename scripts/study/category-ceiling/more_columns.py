from base import *  # noqa: F403
import pickle
F = pickle.load(open('/tmp/rx/more.pkl','rb'))
for k,v in F.items(): print(k, np.mean(v), np.mean(v>0))
base = dict(objective='binary', learning_rate=0.1, num_leaves=31, min_data_in_leaf=100, verbose=-1, num_threads=2)
Xa = np.column_stack([X] + list(F.values()))
print('all', end=' ')
b = fit(base, 100, Xtr=Xa[tr], Xte=Xa[te])
imp = b.feature_importance('gain'); names = [f'f{i}' for i in range(29)] + list(F)
for i in np.argsort(-imp)[:15]: print(names[i], round(imp[i]/imp.sum(),3))
