"""
ScriptsManager Metadata:
@display_name: Site report
@display_name_es: Informe de planta
@display_name_it: Rapporto di sito
@display_name_fr: Rapport de site
@description: Summarise one plant site of a region; the site list follows the region chosen
@description_es: Resume una planta de una región; la lista de plantas sigue a la región elegida
@description_it: Riassume un sito di una regione; l'elenco dei siti segue la regione scelta
@description_fr: Résume un site d'une région ; la liste des sites suit la région choisie
@description_long: docs/site_report.md
@description_long_es: docs/site_report_es.md
@description_long_it: docs/site_report_it.md
@description_long_fr: docs/site_report_fr.md
@required_level: operator
@category: data
@tags: sites,report
@execution_timeout: 30
@parameters: [
  {"name": "region", "type": "select", "options": ["europe", "americas", "asia"], "default": "europe",
   "description": {"en": "Region of the site", "es": "Región de la planta", "it": "Regione del sito", "fr": "Région du site"}},
  {"name": "site", "type": "select", "required": true,
   "options_from": {"command": ["python", "_list_sites.py", "--region", "{region}"], "timeout": 10, "cache_seconds": 60},
   "description": {"en": "Site to summarise (listed for the region)", "es": "Planta que se resume (según la región)",
                   "it": "Sito da riassumere (elencato per la regione)", "fr": "Site à résumer (listé pour la région)"}}
]
"""

from __future__ import annotations

import sys
from datetime import date

import scriptsmanager_sdk as sdk
from _list_sites import SITES

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def report(site: str, today: date) -> list[str]:
    """Return the lines of a site's summary."""
    region, capacity, year = SITES[site]
    return [
        f"Site: {site} ({region})",
        f"Rated capacity: {capacity:g} MW",
        f"In service since {year} ({today.year - year} years)",
    ]


def main() -> int:
    args = sdk.parse_args()
    site = str(args.params.get("site", ""))
    if site not in SITES:
        print(f"Error: unknown site {site!r}.", file=sys.stderr)
        return EXIT_BAD_INPUT
    for line in report(site, date.today()):
        print(line, flush=True)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
