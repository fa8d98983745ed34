#!/usr/bin/env python3
"""Builds the validation series the forecaster was checked on, besides the
NASA and Twitter hourly files (which were not used to choose anything):

  minute-offsets.csv    NASA and Twitter per-minute files summed per hour
                        with the hour starting 15, 30, 45 (NASA) or 20, 40
                        (Twitter) minutes late
  cloud-hourly.csv      the hourly Cloud Monitoring series (49)
  cloud-minute-agg.csv  the per-minute Cloud Monitoring series summed per
                        hour (11, 264 to 336 hours each)

Usage: python3 validation.py DATA_DIR OUT_DIR   (DATA_DIR: shared/data/timeseries)
"""
import csv, datetime, glob, gzip, os, sys

D, OUT = sys.argv[1], sys.argv[2]


def parse(ts):
    ts = ts.replace('Z', '+00:00')
    if 'T' not in ts:
        ts = ts.replace(' ', 'T') + '+00:00'
    return datetime.datetime.fromisoformat(ts)


def write(name, rows):
    with open(os.path.join(OUT, name), 'w') as f:
        f.write('series,time,value\n')
        for s, t, v in rows:
            f.write(f'{s},{t},{v}\n')


def per_minute(path):
    with gzip.open(path, 'rt') as f:
        r = csv.reader(f)
        next(r)
        return [(t, float(v)) for t, v in r]


rows = []
nasa = per_minute(os.path.join(D, 'nasa-1995-per-minute.csv.gz'))
for off in (15, 30, 45):
    agg = {}
    for t, v in nasa:
        k = int((parse(t).timestamp() - off * 60) // 3600)
        agg[k] = agg.get(k, 0) + v
    rows += [(f'nasa+{off}', k, agg[k]) for k in sorted(agg)]
tw = per_minute(os.path.join(D, 'twitter-per-minute.csv.gz'))
for off in (20, 40):
    agg = {}
    for t, v in tw:
        k = (int(t) - off) // 60
        if k >= 0:
            agg[k] = agg.get(k, 0) + v
    rows += [(f'twitter+{off}', k, agg[k]) for k in sorted(agg)]
write('minute-offsets.csv', rows)

hourly, minute = [], []
for p in sorted(glob.glob(os.path.join(D, 'cloud-monitoring/data/*/*.csv'))):
    name = os.path.basename(p)[:-4]
    with open(p) as f:
        r = csv.reader(f)
        next(r)
        pts = [(parse(t), float(v) if v else float('nan')) for t, v, _ in r]
    step = (pts[1][0] - pts[0][0]).total_seconds()
    if step == 60:
        agg = {}
        for dt, v in pts:
            k = int(dt.timestamp() // 3600)
            agg[k] = agg.get(k, 0) + (0 if v != v else v)
        minute += [(name, k, agg[k]) for k in sorted(agg)]
    elif step == 3600:
        seen = set()
        for dt, v in pts:
            k = int((dt - pts[0][0]).total_seconds() // 3600)
            if k not in seen:
                seen.add(k)
                hourly.append((name, k, v))
write('cloud-hourly.csv', hourly)
write('cloud-minute-agg.csv', minute)
