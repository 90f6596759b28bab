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


def name_of(code: str) -> str | None:
    return next((name for c, name in PROVINCES if c == code), None)
