mod perf_tafeng;
