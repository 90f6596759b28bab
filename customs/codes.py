"""Customs code tables (JGS-20 海关业务代码集): ISO countries and plain unit words to customs codes.

Country codes are the customs' three-digit country (region) codes used by the CEB messages
(116 Japan, 142 China, 502 United States ...); unit codes are the measurement-unit codes
(007 个, 011 件, 035 千克 ...). Both tables hold the entries a consumer-import catalogue needs.
"""

from __future__ import annotations

from customs.errors import InvalidDeclaration

CURRENCY_CNY = "142"

# ISO 3166-1 alpha-2 -> customs country (region) code
COUNTRY = {
    # Asia
    "BD": "103", "BN": "105", "KH": "107", "CY": "108", "HK": "110", "IN": "111",
    "ID": "112", "IL": "115", "JP": "116", "JO": "117", "KW": "118", "LA": "119",
    "LB": "120", "MO": "121", "MY": "122", "MV": "123", "MN": "124", "NP": "125",
    "OM": "126", "PK": "127", "PH": "129", "QA": "130", "SA": "131", "SG": "132",
    "KR": "133", "LK": "134", "TH": "136", "TR": "137", "AE": "138", "VN": "141",
    "CN": "142", "TW": "143", "KZ": "145", "UZ": "149",
    # Africa
    "EG": "215", "KE": "224", "MA": "232", "NG": "236", "ZA": "244", "TN": "249",
    # Europe
    "BE": "301", "DK": "302", "GB": "303", "DE": "304", "FR": "305", "IE": "306",
    "IT": "307", "LU": "308", "NL": "309", "GR": "310", "PT": "311", "ES": "312",
    "AT": "315", "BG": "316", "FI": "318", "HU": "321", "IS": "322", "MT": "324",
    "MC": "325", "NO": "326", "PL": "327", "RO": "328", "SE": "330", "CH": "331",
    "EE": "334", "LV": "335", "LT": "336", "RU": "344", "UA": "347", "SI": "350",
    "HR": "351", "CZ": "352", "SK": "353", "RS": "358",
    # Latin America
    "AR": "402", "BR": "410", "CL": "412", "CO": "413", "CR": "415", "EC": "419",
    "MX": "429", "PE": "434", "UY": "444",
    # North America
    "CA": "501", "US": "502",
    # Oceania
    "AU": "601", "FJ": "603", "NZ": "609",
}

# plain unit word (English or Chinese) -> customs measurement-unit code
UNIT = {
    "set": "001", "台": "001", "suite": "006", "套": "006",
    "piece": "007", "pcs": "007", "each": "007", "个": "007",
    "只": "008", "sheet": "010", "张": "010", "article": "011", "item": "011", "件": "011",
    "stick": "012", "支": "012", "strip": "015", "条": "015", "tablet": "020", "片": "020",
    "pair": "025", "双": "025", "metre": "030", "meter": "030", "米": "030",
    "kg": "035", "千克": "035", "g": "036", "克": "036",
    "l": "095", "litre": "095", "liter": "095", "升": "095",
    "ml": "096", "毫升": "096", "carton": "120", "箱": "120", "can": "122", "tin": "122",
    "罐": "122", "barrel": "123", "桶": "123", "pack": "125", "packet": "125", "包": "125",
    "book": "132", "本": "132", "bag": "136", "袋": "136", "box": "140", "盒": "140",
    "bottle": "142", "瓶": "142",
}


def country_code(iso: str, *, field: str = "country") -> str:
    """The customs country code for an ISO alpha-2 code (a 3-digit code passes through)."""
    value = (iso or "").strip().upper()
    if value.isdigit() and len(value) == 3 and value in COUNTRY.values():
        return value
    code = COUNTRY.get(value)
    if code is None:
        raise InvalidDeclaration("unknown country", [
            {"field": field, "reason": f"no customs country code for {iso!r}"}])
    return code


def unit_code(word: str, *, field: str = "unit") -> str:
    """The customs unit code for a plain unit word (a 3-digit code passes through)."""
    value = (word or "").strip()
    if value.isdigit() and len(value) == 3 and value in UNIT.values():
        return value
    code = UNIT.get(value.lower()) or UNIT.get(value.lower().rstrip("s"))
    if code is None:
        raise InvalidDeclaration("unknown unit", [
            {"field": field, "reason": f"no customs unit code for {word!r}"}])
    return code
