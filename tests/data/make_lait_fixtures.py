"""Make the trimmed LAIT fixtures from the full files in ../shared/real-data (run once).

The data set keeps its rows as issued (same order, same text) for a few measures and areas
chosen for what they exercise; the dictionary keeps those measures' records byte for byte.
Run: .venv/bin/python tests/data/make_lait_fixtures.py
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
REAL = HERE.parents[2] / "shared" / "real-data"

MEASURES = (
    "2yr_Ofsted_rating",  # "97.199999999999989" beside "97.2"
    "RTA",  # calendar three-year ranges "2014-16"
    "Hosp_Adm_Alc_<18yrs",  # financial ranges "2013/14-15/16"
    "TotalLACFinance",  # "2016-17 (OT)", polarity NA
    "KS1P_all",  # "2025 (prov)"
    "A3A",  # "2018 (Rev)", "2020 (Final)"
    "CINPermExclusion",  # Years "0"; two names in the dictionary
    "LAC_Over_Abs",  # two names of equal length (CLA / LAC)
    "Work_Force_TO_Rate",  # Annual (end of Sept)
    "PriFSM",  # Annual - January
    "LAC",  # Annual (at 31 March)
    "CINTime3months",  # polarity "-", financial single years
    "Premium",  # financial "2016-17"
    "TotPermEx",  # academic "2015/16"
)
AREAS = (
    "England", "London", "London (Inner)", "London (Outer)", "North West", "South West",
    "East Midlands", "Yorkshire and the Humber", "City of London", "Camden", "Haringey",
    "Barnet", "Bristol, City of", "Kingston Upon Hull, City of", "St. Helens",
    "Dorset (Pre LG)", "Poole (Pre LG)", "Bournemouth (Pre LG)", "Dorset",
    "Bournemouth, Christchurch and Poole", "Cumbria", "Cumberland", "Westmorland and Furness",
    "Northamptonshire", "North Northamptonshire", "West Northamptonshire", "Essex", "Cornwall",
    "Isles of Scilly",
)  # fmt: skip


def trim_dataset() -> None:
    table = pq.read_table(REAL / "lait_bds_long.parquet")
    keep = pc.and_(
        pc.is_in(table["Short Desc"], pc.cast(list(MEASURES), "string")),
        pc.is_in(table["LA and Regions"], pc.cast(list(AREAS), "string")),
    )
    pq.write_table(table.filter(keep), HERE / "lait_bds_long_trimmed.parquet", compression="zstd")


def trim_dictionary() -> None:
    text = (REAL / "lait_data_dictionary.csv").read_bytes().decode("utf-8")
    # csv counts the physical lines it consumes as StringIO(newline="") splits them, so a
    # record's own text (quoted "\r\r\n" breaks and all) is lines[start:line_num].
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(io.StringIO(text, newline=""))
    out, start = [], 0
    for n, record in enumerate(reader):
        if n == 0 or record[4].strip() in MEASURES:
            out.append("".join(lines[start : reader.line_num]))
        start = reader.line_num
    (HERE / "lait_data_dictionary_trimmed.csv").write_bytes("".join(out).encode("utf-8"))


if __name__ == "__main__":
    trim_dataset()
    trim_dictionary()
