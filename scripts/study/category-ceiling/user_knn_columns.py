import numpy as np, pandas as pd, scipy.sparse as sp, sys, time, pickle
D = pd.read_parquet('/tmp/churnx/tf.parquet')
D['dn'] = (D.day - pd.Timestamp('1970-01-01')).dt.days
cats = {c:i for i,c in enumerate(sorted(D.cat.unique()))}
D['ci'] = D.cat.map(cats)
def vectors(c, rb):
    h = D[D.dn < c][['m','dn','ci']].drop_duplicates()
    b = h[['m','dn']].drop_duplicates().sort_values(['m','dn'])
    b['back'] = b.groupby('m').cumcount(ascending=False)
    b['w'] = rb ** b.back
    norm = b.groupby('m').w.sum()
    h = h.merge(b, on=['m','dn'])
    mem = {m:i for i,m in enumerate(sorted(h.m.unique()))}
    rows = h.m.map(mem).values
    V = sp.csr_matrix((h.w.values / h.m.map(norm).values, (rows, h.ci.values)), shape=(len(mem), len(cats)))
    V.sum_duplicates()
    return V, mem
def knn_scores(V, k):
    N = V.copy().astype(np.float32)
    nrm = np.sqrt(np.asarray(N.multiply(N).sum(1)).ravel()); nrm[nrm==0]=1
    N = sp.diags(1/nrm) @ N
    out = []
    NT = N.T.tocsr()
    for s in range(0, N.shape[0], 2000):
        S = (N[s:s+2000] @ NT).toarray()
        for i in range(S.shape[0]): S[i, s+i] = -1
        idx = np.argpartition(-S, k, axis=1)[:, :k]
        rows = np.repeat(np.arange(S.shape[0]), k)
        A = sp.csr_matrix((np.ones(len(rows), np.float32)/k, (rows, idx.ravel())), shape=(S.shape[0], N.shape[0]))
        out.append(A @ V)
    return sp.vstack(out).tocsr()
if __name__ == '__main__':
    meta = pd.read_csv('/tmp/rd/cat.csv', dtype={'member':str,'candidate':str})
    feats = {}
    for k, rb in [(300, 0.9), (100, 0.9), (300, 0.7)]:
        col = np.zeros(len(meta), np.float32)
        for c in sorted(meta.cutoff.unique()):
            t=time.time()
            V, mem = vectors(c, rb)
            K = knn_scores(V, k)
            sel = (meta.cutoff == c).values
            mm = meta[sel]
            ri = mm.member.map(mem).values
            ci = mm.candidate.map(cats).values
            col[sel] = np.asarray(K[ri, ci]).ravel()
            print(k, rb, c, f'{time.time()-t:.0f}s', flush=True)
        feats[f'knn{k}_{rb}'] = col
    pickle.dump(feats, open('/tmp/rx/knnfeats.pkl','wb'))
