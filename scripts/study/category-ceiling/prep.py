import pandas as pd, numpy as np
df = pd.read_csv('/work/tafeng/ta_feng_all_months_merged.csv', encoding='utf-8-sig', dtype=str)
df['day'] = pd.to_datetime(df['TRANSACTION_DT'], format='%m/%d/%Y')
df['amount'] = df['SALES_PRICE'].astype(float)
df['qty'] = df['AMOUNT'].astype(float)
df = df.rename(columns={'CUSTOMER_ID':'m','PRODUCT_SUBCLASS':'cat','PRODUCT_ID':'item'})
df[['m','day','cat','item','amount','qty','AGE_GROUP','PIN_CODE']].to_parquet('/tmp/churnx/tf.parquet')
print(df.shape, df.day.min(), df.day.max())
