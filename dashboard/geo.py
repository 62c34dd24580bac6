"""Where each territory can be drawn on the world map.

The vendored 110m topojson (static/vendor/plotly/topojson/world_110m.json) has shapes for 189 ISO
codes. Territories without a shape, and a few too small to see, are drawn as markers: at the
shape's centroid (`ct` in the topojson) where there is one, else at the coordinates below.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.conf import settings

TOPOJSON = Path(settings.BASE_DIR) / "static" / "vendor" / "plotly" / "topojson" / "world_110m.json"

# Territories with a shape that is too small to see at world scale: drawn as a marker too.
TINY_WITH_SHAPE = frozenset({"LUX", "BRN", "MUS", "CPV", "COM", "STP", "DMA", "WSM", "TTO", "QAT", "CYP"})

# (latitude, longitude) of territories that have no shape in the 110m file (approximate centres).
NO_SHAPE_COORDINATES: dict[str, tuple[float, float]] = {
    "ABW": (12.52, -69.97), "AIA": (18.22, -63.05), "AND": (42.55, 1.60), "ASM": (-14.30, -170.70),
    "ATG": (17.08, -61.80), "BES": (12.18, -68.25), "BHR": (26.03, 50.55), "BLM": (17.90, -62.83),
    "BMU": (32.31, -64.75), "BRB": (13.19, -59.54), "BVT": (-54.42, 3.36), "CCK": (-12.16, 96.87),
    "COK": (-21.24, -159.78), "CUW": (12.17, -68.99), "CXR": (-10.49, 105.62), "CYM": (19.31, -81.25),
    "FRO": (62.00, -6.79), "FSM": (6.92, 158.16), "GGY": (49.46, -2.59), "GIB": (36.14, -5.35),
    "GRD": (12.12, -61.68), "HKG": (22.32, 114.17), "HMD": (-53.08, 73.50), "IMN": (54.24, -4.55),
    "IOT": (-7.33, 72.42), "JEY": (49.21, -2.13), "KIR": (1.45, 173.03), "KNA": (17.30, -62.72),
    "LCA": (13.91, -60.98), "LIE": (47.17, 9.56), "MAC": (22.20, 113.55), "MAF": (18.07, -63.08),
    "MCO": (43.74, 7.42), "MDV": (3.20, 73.22), "MHL": (7.12, 171.18), "MLT": (35.94, 14.38),
    "MNP": (15.10, 145.67), "MSR": (16.74, -62.19), "MYT": (-12.83, 45.17), "NFK": (-29.04, 167.95),
    "NIU": (-19.05, -169.87), "NRU": (-0.53, 166.93), "PCN": (-25.07, -130.10), "PLW": (7.51, 134.58),
    "SGP": (1.35, 103.82), "SHN": (-15.96, -5.71), "SMR": (43.94, 12.46), "SPM": (46.89, -56.32),
    "SXM": (18.04, -63.07), "SYC": (-4.68, 55.49), "TCA": (21.69, -71.80), "TKL": (-9.20, -171.85),
    "TON": (-21.18, -175.20), "TUV": (-8.52, 179.20), "UMI": (19.28, 166.65), "VAT": (41.90, 12.45),
    "VCT": (13.25, -61.20), "VGB": (18.42, -64.64), "VIR": (18.34, -64.90), "WLF": (-13.77, -177.16),
}  # fmt: skip


@cache
def shape_centroids() -> dict[str, tuple[float, float]]:
    """ISO3 -> (lat, lon) of every territory with a shape in the vendored topojson."""
    data = json.loads(TOPOJSON.read_text(encoding="utf-8"))
    centroids: dict[str, tuple[float, float]] = {}
    for geometry in data["objects"]["countries"]["geometries"]:
        code, centre = geometry.get("id"), (geometry.get("properties") or {}).get("ct")
        if code and centre and code not in centroids:
            centroids[code] = (centre[1], centre[0])
    return centroids


def has_shape(iso3: str) -> bool:
    return iso3 in shape_centroids()


def needs_marker(iso3: str) -> bool:
    return not has_shape(iso3) or iso3 in TINY_WITH_SHAPE


def marker_position(iso3: str) -> tuple[float, float] | None:
    return shape_centroids().get(iso3) or NO_SHAPE_COORDINATES.get(iso3)
