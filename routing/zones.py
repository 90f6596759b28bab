"""Mainland provinces as destination zones: the routing contract's zone is a province code."""

from __future__ import annotations

# (code, name as written in an address)
PROVINCES: tuple[tuple[str, str], ...] = (
    ("BJ", "北京市"), ("TJ", "天津市"), ("HE", "河北省"), ("SX", "山西省"),
    ("NM", "内蒙古自治区"),
    ("LN", "辽宁省"), ("JL", "吉林省"), ("HL", "黑龙江省"), ("SH", "上海市"), ("JS", "江苏省"),
    ("ZJ", "浙江省"), ("AH", "安徽省"), ("FJ", "福建省"), ("JX", "江西省"), ("SD", "山东省"),
    ("HA", "河南省"), ("HB", "湖北省"), ("HN", "湖南省"), ("GD", "广东省"),
    ("GX", "广西壮族自治区"),
    ("HI", "海南省"), ("CQ", "重庆市"), ("SC", "四川省"), ("GZ", "贵州省"), ("YN", "云南省"),
    ("XZ", "西藏自治区"), ("SN", "陕西省"), ("GS", "甘肃省"), ("QH", "青海省"),
    ("NX", "宁夏回族自治区"),
    ("XJ", "新疆维吾尔自治区"),
)

# rough position of each province's capital, hundreds of km east / north (distance-priced
# demo and benchmark rate cards)
CAPITAL_XY: dict[str, tuple[float, float]] = {
    "BJ": (11.6, 4.0), "TJ": (11.7, 3.9), "HE": (11.5, 3.8), "SX": (11.2, 3.8), "NM": (11.1, 4.1),
    "LN": (12.3, 4.2), "JL": (12.5, 4.4), "HL": (12.6, 4.6), "SH": (12.1, 3.1), "JS": (11.9, 3.2),
    "ZJ": (12.0, 3.0), "AH": (11.7, 3.2), "FJ": (11.9, 2.6), "JX": (11.6, 2.9), "SD": (11.7, 3.7),
    "HA": (11.4, 3.5), "HB": (11.4, 3.1), "HN": (11.3, 2.8), "GD": (11.3, 2.3), "GX": (10.8, 2.3),
    "HI": (11.0, 2.0), "CQ": (10.6, 3.0), "SC": (10.4, 3.1), "GZ": (10.7, 2.7), "YN": (10.3, 2.5),
    "XZ": (9.1, 3.0), "SN": (10.9, 3.4), "GS": (10.4, 3.6), "QH": (10.2, 3.7), "NX": (10.6, 3.9),
    "XJ": (8.8, 4.4),
}
_BY_NAME = {name: code for code, name in PROVINCES}
_CODES = {code for code, _ in PROVINCES}
_SUFFIXES = ("省", "市", "自治区", "壮族自治区", "回族自治区", "维吾尔自治区")


def _short(name: str) -> str:
    for suffix in sorted(_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


_BY_SHORT = {_short(name): code for code, name in PROVINCES}


def zone_of(province: str) -> str | None:
    """The zone code of a province given by full name, short name or code; None if unknown."""
    p = province.strip()
    if p.upper() in _CODES:
        return p.upper()
    return _BY_NAME.get(p) or _BY_SHORT.get(_short(p))
