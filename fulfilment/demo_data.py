"""Pure: the demo network and a deterministic catalogue of about 200 imported SKUs."""

from __future__ import annotations

import random
from dataclasses import dataclass

WAREHOUSES = [
    # id, name, kind, customs mode, country, address, phone, pick capacity per wave
    ("NGB", "Ningbo Bonded Warehouse", "bonded", "1210", "CN",
     "Ningbo Free Trade Zone, Beilun, Ningbo, Zhejiang", "0574-88880000", 6000),
    ("ZZ", "Zhengzhou Bonded Warehouse", "bonded", "1210", "CN",
     "Zhengzhou Airport Economy Zone, Henan", "0371-66660000", 4000),
    ("SZ", "Shenzhen Qianhai Bonded Warehouse", "bonded", "1210", "CN",
     "Qianhai Bay Bonded Port, Shenzhen, Guangdong", "0755-88990000", 5000),
    ("JP-TYO", "Tokyo Overseas Warehouse", "overseas", "9610", "JP",
     "2-1 Heiwajima, Ota-ku, Tokyo", "+81-3-5000-0000", 1500),
    ("KR-SEL", "Seoul Overseas Warehouse", "overseas", "9610", "KR",
     "Gimpo-daero, Gangseo-gu, Seoul", "+82-2-3000-0000", 1500),
    ("US-LAX", "Los Angeles Overseas Warehouse", "overseas", "9610", "US",
     "1 World Way Cargo, Los Angeles, CA", "+1-310-000-0000", 1000),
    ("DE-FRA", "Frankfurt Overseas Warehouse", "overseas", "9610", "DE",
     "CargoCity Sued, Frankfurt am Main", "+49-69-000000", 1000),
]

COURIERS = [("SF", "SF Express"), ("JD", "JD Logistics"), ("YTO", "YTO Express"),
            ("ZTO", "ZTO Express"), ("EMS", "China EMS"), ("DHL", "DHL Express")]

# category, tax category, HS code, weight range g, shelf life days, price range CNY,
# net content, product words
_KINDS = [
    ("skincare", "cosmetics", "3304990099", (80, 260), 1095, (89, 899), "ml",
     ["Hydrating Serum", "Essence Lotion", "Moisturising Cream", "Eye Cream", "Toner",
      "Sheet Mask 10pk", "Cleansing Oil", "Sunscreen SPF50"]),
    ("cosmetics", "cosmetics", "3304100000", (20, 120), 1095, (69, 459), "g",
     ["Lip Tint", "Lipstick", "Cushion Foundation", "Eyeshadow Palette", "Mascara",
      "Brow Pencil"]),
    ("haircare", "cosmetics", "3305100000", (300, 700), 1095, (59, 239), "ml",
     ["Repair Shampoo", "Hair Mask", "Scalp Serum", "Conditioner"]),
    ("supplements", "food", "2106909090", (120, 600), 730, (99, 499), "piece",
     ["Fish Oil 90 caps", "Vitamin C 120 tabs", "Collagen Drink 10x50ml", "Probiotic 30 caps",
      "Lutein 60 caps", "Protein Powder 1kg"]),
    ("baby-formula", "food", "1901101000", (800, 950), 540, (219, 429), "g",
     ["Infant Formula Stage 1 800g", "Infant Formula Stage 2 800g",
      "Infant Formula Stage 3 800g"]),
    ("baby-care", "general", "3401300000", (150, 900), 1095, (39, 189), "piece",
     ["Baby Wipes 80pk", "Baby Lotion", "Nappies M 58pk", "Baby Wash", "Nappy Cream"]),
    ("appliances", "appliances", "8516320000", (350, 1600), None, (299, 2499), "piece",
     ["Hair Dryer", "Facial Steamer", "Electric Toothbrush", "Beauty Device", "Hair Straightener"]),
]

_BRANDS = {
    "JP": ["Shiseido", "Sekkisei", "Hada Labo", "Kose", "Fancl", "Meiji", "Kao", "Panasonic",
           "Pigeon", "Canmake"],
    "KR": ["Sulwhasoo", "Laneige", "Innisfree", "Dr.Jart", "COSRX", "Mediheal", "Ryo", "Etude"],
    "US": ["Kiehl's", "Nature Made", "Swisse US", "Estee Lauder", "Cetaphil", "Dyson",
           "Optimum"],
    "DE": ["Nivea", "Aptamil DE", "Balea", "Sebamed", "Braun", "Doppelherz", "Hipp"],
    "FR": ["La Roche-Posay", "Avene", "Bioderma", "Lancome"],
    "AU": ["Swisse", "Blackmores", "A2 Platinum", "Bio Island"],
}
_GTIN_PREFIX = {"JP": "49", "KR": "880", "US": "00", "DE": "40", "FR": "30", "AU": "93"}
_HOME = {"JP": "JP-TYO", "KR": "KR-SEL", "US": "US-LAX", "DE": "DE-FRA", "FR": "DE-FRA",
         "AU": "US-LAX"}


@dataclass(frozen=True)
class DemoSku:
    id: str
    name: str
    brand: str
    category: str
    gtin: str
    hs_code: str
    tax_category: str
    weight_g: int
    shelf_life_days: int | None
    origin_country: str
    unit_price_fen: int
    case_pack: int
    moq: int
    net_content: str
    home_warehouse: str


def ean13_check(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def _gtin(rng: random.Random, origin: str) -> str:
    prefix = _GTIN_PREFIX[origin]
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(12 - len(prefix)))
    return body + ean13_check(body)


def catalogue(n: int = 200, seed: int = 20261122) -> list[DemoSku]:
    """A reproducible catalogue: plausible brands, GTINs, HS codes, weights, prices."""
    rng = random.Random(seed)
    skus: list[DemoSku] = []
    weights = [30, 22, 8, 14, 6, 8, 6]  # skincare and cosmetics dominate social commerce
    while len(skus) < n:
        category, tax_cat, hs, (wlo, whi), life, (plo, phi), unit, words = rng.choices(
            _KINDS, weights=weights)[0]
        origin = rng.choice(list(_BRANDS))
        brand = rng.choice(_BRANDS[origin])
        word = rng.choice(words)
        size = rng.choice([30, 50, 100, 150, 200]) if unit == "ml" else rng.choice([3, 5, 10])
        sku_id = f"{brand.split()[0].upper().replace(chr(39), '')[:6]}-" \
                 f"{''.join(w[0] for w in word.split())[:4].upper()}-{len(skus) + 1:03d}"
        price = rng.randint(plo, phi) * 100 + rng.choice([0, 0, 0, 90])
        pack = rng.choice([6, 12, 24]) if category != "appliances" else rng.choice([2, 4])
        skus.append(DemoSku(
            id=sku_id, name=f"{brand} {word}", brand=brand, category=category,
            gtin=_gtin(rng, origin), hs_code=hs, tax_category=tax_cat,
            weight_g=rng.randint(wlo, whi), shelf_life_days=life, origin_country=origin,
            unit_price_fen=price, case_pack=pack, moq=pack * rng.choice([1, 2, 5]),
            net_content=f"{size} {unit}" if unit != "piece" else "1 piece",
            home_warehouse=_HOME[origin]))
    return skus


def stock_plan(skus: list[DemoSku], seed: int = 7) -> list[tuple[str, str, str, int, int]]:
    """(warehouse, sku, lot, qty, days to expiry): each SKU in its home market and 1-3 hubs."""
    rng = random.Random(seed)
    plan = []
    for sku in skus:
        hubs = rng.sample(["NGB", "ZZ", "SZ"], k=rng.randint(1, 3))
        for wh in [sku.home_warehouse, *hubs]:
            for lot_no in range(rng.randint(1, 2)):
                life = sku.shelf_life_days or 3650
                days = rng.randint(max(60, life // 4), life)
                plan.append((wh, sku.id, f"L{rng.randint(10000, 99999)}{lot_no}",
                             rng.randint(20, 400) if wh != sku.home_warehouse
                             else rng.randint(10, 120), days))
    return plan
