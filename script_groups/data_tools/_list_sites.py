"""Print the plant sites of a region, one per line: the options of site_report.py's ``site``.

The manager runs it with the group's Python in this folder (``options_from``); it is also
imported by site_report.py, so the list and the report never disagree.
"""

from __future__ import annotations

import argparse
import sys

# site -> (region, rated capacity in MW, year of commissioning)
SITES: dict[str, tuple[str, float, int]] = {
    "Bergen": ("europe", 120.0, 2009),
    "Lyon": ("europe", 85.5, 2014),
    "Turin": ("europe", 64.0, 2018),
    "Valencia": ("europe", 92.0, 2016),
    "Monterrey": ("americas", 150.0, 2011),
    "Calgary": ("americas", 110.0, 2007),
    "Recife": ("americas", 70.0, 2020),
    "Osaka": ("asia", 135.0, 2012),
    "Pune": ("asia", 98.0, 2019),
}
REGIONS = ("europe", "americas", "asia")


def sites_in(region: str) -> list[str]:
    """Return the sites of a region (every site for an empty region), sorted."""
    return sorted(name for name, (where, _mw, _year) in SITES.items() if region in ("", where))


def main() -> int:
    parser = argparse.ArgumentParser(description="List the sites of a region.")
    parser.add_argument("--region", default="")
    region = parser.parse_args().region
    if region and region not in REGIONS:
        print(f"unknown region {region!r}; expected one of {', '.join(REGIONS)}", file=sys.stderr)
        return 2
    print("\n".join(sites_in(region)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
