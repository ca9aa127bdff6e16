import numpy as np, pandas as pd, pickle, time
D = pd.read_parquet('/tmp/churnx/tf.parquet')
D['dn'] = (D.day - pd.Timestamp('1970-01-01')).dt.days
meta = pd.read_csv('/tmp/rd/cat.csv', dtype={'member':str,'candidate':str})
out = {k: np.zeros(len(meta), np.float32) for k in ['d14','d56','amt_share','items_in_cat','item_rep_max','age_lift','pin_lift','last_qty_ratio','visits_14']}
for c in sorted(meta.cutoff.unique()):
    t=time.time()
    h = D[D.dn < c]
    sel = (meta.cutoff == c).values
    mm = meta[sel][['member','candidate']].rename(columns={'member':'m','candidate':'cat'})
    md = h[['m','cat','dn']].drop_duplicates()
    f = pd.DataFrame(index=pd.MultiIndex.from_frame(mm))
    g14 = md[md.dn >= c-14].groupby(['m','cat']).size()
    g56 = md[md.dn >= c-56].groupby(['m','cat']).size()
    amt = h.groupby(['m','cat']).amount.sum(); tot = h.groupby('m').amount.sum()
    items = h.groupby(['m','cat']).item.nunique()
    # item repeat: max purchase days of a single item in the cat
    it = h[['m','cat','item','dn']].drop_duplicates().groupby(['m','cat','item']).size().groupby(['m','cat']).max()
    # demographic lift over last 28 days
    r = h[h.dn >= c-28]
    attrs = D.drop_duplicates('m').set_index('m')[['AGE_GROUP','PIN_CODE']]
    res = {}
    for a, nm in [('AGE_GROUP','age_lift'),('PIN_CODE','pin_lift')]:
        rb = r[['m','cat']].drop_duplicates().join(attrs[a], on='m')
        act = r[['m']].drop_duplicates().join(attrs[a], on='m')
        n_a = act.groupby(a).size()
        share_a = rb.groupby([a,'cat']).size() / n_a.reindex(rb.groupby([a,'cat']).size().index.get_level_values(0)).values
        share = rb.groupby('cat').size() / len(act)
        lift = (share_a / share.reindex(share_a.index.get_level_values(1)).values)
        x = mm.join(attrs[a], on='m')
        res[nm] = lift.reindex(pd.MultiIndex.from_arrays([x[a].values, x.cat.values])).fillna(1).values
    # last qty ratio: quantity on last purchase day of cat / mean qty per purchase day
    q = h.groupby(['m','cat','dn']).qty.sum().reset_index().sort_values('dn')
    lq = q.groupby(['m','cat']).qty.last() / q.groupby(['m','cat']).qty.mean()
    v14 = h[h.dn >= c-14][['m','dn']].drop_duplicates().groupby('m').size()
    idx = f.index
    out['d14'][sel] = g14.reindex(idx).fillna(0).values
    out['d56'][sel] = g56.reindex(idx).fillna(0).values
    out['amt_share'][sel] = (amt.reindex(idx).fillna(0).values / tot.reindex(mm.m).values)
    out['items_in_cat'][sel] = items.reindex(idx).fillna(0).values
    out['item_rep_max'][sel] = it.reindex(idx).fillna(0).values
    out['age_lift'][sel] = res['age_lift']; out['pin_lift'][sel] = res['pin_lift']
    out['last_qty_ratio'][sel] = lq.reindex(idx).fillna(0).values
    out['visits_14'][sel] = v14.reindex(mm.m).fillna(0).values
    print(c, f'{time.time()-t:.0f}s', flush=True)
pickle.dump(out, open('/tmp/rx/more.pkl','wb'))
