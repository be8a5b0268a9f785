"""
ScriptsManager Metadata:
@display_name: Engineering unit converter
@display_name_es: Conversor de unidades de ingeniería
@display_name_it: Convertitore di unità ingegneristiche
@display_name_fr: Convertisseur d'unités d'ingénierie
@description: Convert a value between units of length, pressure, temperature or energy
@description_es: Convierte un valor entre unidades de longitud, presión, temperatura o energía
@description_it: Converte un valore tra unità di lunghezza, pressione, temperatura o energia
@description_fr: Convertit une valeur entre unités de longueur, de pression, de température ou d'énergie
@description_long: docs/unit_converter.md
@description_long_es: docs/unit_converter_es.md
@description_long_it: docs/unit_converter_it.md
@description_long_fr: docs/unit_converter_fr.md
@required_level: operator
@category: data
@tags: units,conversion,pressure,temperature,energy
@execution_timeout: 30
@parameters: [
  {"name": "value", "type": "float", "required": true,
   "description": {"en": "Value to convert", "es": "Valor que se convierte", "it": "Valore da convertire", "fr": "Valeur à convertir"}},
  {"name": "quantity", "type": "select", "options": ["length", "pressure", "temperature", "energy"], "default": "length",
   "description": {"en": "Physical quantity", "es": "Magnitud física", "it": "Grandezza fisica", "fr": "Grandeur physique"}},
  {"name": "from_unit", "type": "string", "required": true, "max": 16,
   "description": {"en": "Unit of the value, e.g. m, bar, C, kWh", "es": "Unidad del valor, p. ej. m, bar, C, kWh",
                   "it": "Unità del valore, ad es. m, bar, C, kWh", "fr": "Unité de la valeur, p. ex. m, bar, C, kWh"}},
  {"name": "to_unit", "type": "string", "required": true, "max": 16,
   "description": {"en": "Target unit, e.g. ft, psi, F, MJ", "es": "Unidad de destino, p. ej. ft, psi, F, MJ",
                   "it": "Unità di destinazione, ad es. ft, psi, F, MJ", "fr": "Unité cible, p. ex. ft, psi, F, MJ"}}
]
"""

from __future__ import annotations

import math
import sys
from typing import Any

import scriptsmanager_sdk as sdk

EXIT_OK, EXIT_BAD_INPUT, EXIT_TERMINATED = 0, 2, 143

# Factor to the SI base unit of the quantity (m, Pa, J). Exact where the
# definition is exact (inch, foot, mile, atm, cal_IT, kWh); psi, mmHg, inH2O and BTU_IT to 10+ digits.
LINEAR_UNITS: dict[str, dict[str, float]] = {
    "length": {
        "m": 1.0,
        "km": 1000.0,
        "cm": 0.01,
        "mm": 0.001,
        "um": 1e-6,
        "in": 0.0254,
        "ft": 0.3048,
        "yd": 0.9144,
        "mi": 1609.344,
        "nmi": 1852.0,
    },
    "pressure": {
        "Pa": 1.0,
        "kPa": 1e3,
        "MPa": 1e6,
        "bar": 1e5,
        "mbar": 100.0,
        "atm": 101325.0,
        "psi": 6894.757293168361,
        "mmHg": 133.322387415,
        "torr": 101325.0 / 760.0,
        "inH2O": 249.08891,
    },
    "energy": {
        "J": 1.0,
        "kJ": 1e3,
        "MJ": 1e6,
        "GJ": 1e9,
        "Wh": 3600.0,
        "kWh": 3.6e6,
        "cal": 4.1868,
        "kcal": 4186.8,
        "BTU": 1055.05585262,
        "eV": 1.602176634e-19,
    },
}
TEMPERATURE_UNITS = ("C", "F", "K", "R")
ABSOLUTE_ZERO_K = 0.0

# Extra spellings accepted (case-insensitive), mapped to the canonical unit.
ALIASES: dict[str, dict[str, str]] = {
    "length": {
        "µm": "um",
        "micron": "um",
        "inch": "in",
        "foot": "ft",
        "feet": "ft",
        "yard": "yd",
        "mile": "mi",
        "metre": "m",
        "meter": "m",
    },
    "pressure": {"pascal": "Pa", "atmosphere": "atm"},
    "temperature": {
        "°c": "C",
        "celsius": "C",
        "degc": "C",
        "°f": "F",
        "fahrenheit": "F",
        "degf": "F",
        "kelvin": "K",
        "°r": "R",
        "rankine": "R",
    },
    "energy": {"joule": "J", "btu_it": "BTU", "kilocalorie": "kcal", "calorie": "cal"},
}
QUANTITIES = ("length", "pressure", "temperature", "energy")
PARAMETERS = ("value", "quantity", "from_unit", "to_unit")


class InputError(Exception):
    """Invalid parameter (exit code 2)."""


def valid_units(quantity: str) -> tuple[str, ...]:
    return TEMPERATURE_UNITS if quantity == "temperature" else tuple(LINEAR_UNITS[quantity])


def canonical_unit(quantity: str, unit: str, role: str) -> str:
    """Case-insensitive lookup; raise InputError listing the valid units."""
    text = unit.strip()
    lowered = text.lower()
    for name in valid_units(quantity):
        if name.lower() == lowered:
            return name
    alias = ALIASES.get(quantity, {}).get(lowered)
    if alias:
        return alias
    raise InputError(
        f"unknown {role} unit {unit!r} for {quantity}. "
        f"Valid units: {', '.join(valid_units(quantity))} (case does not matter)."
    )


def to_kelvin(value: float, unit: str) -> float:
    return {
        "K": value,
        "C": value + 273.15,
        "F": (value + 459.67) * 5.0 / 9.0,
        "R": value * 5.0 / 9.0,
    }[unit]


def from_kelvin(kelvin: float, unit: str) -> float:
    return {
        "K": kelvin,
        "C": kelvin - 273.15,
        "F": kelvin * 9.0 / 5.0 - 459.67,
        "R": kelvin * 9.0 / 5.0,
    }[unit]


def convert(value: float, quantity: str, from_unit: str, to_unit: str) -> float:
    if quantity == "temperature":
        kelvin = to_kelvin(value, from_unit)
        if kelvin < ABSOLUTE_ZERO_K - 1e-9:
            raise InputError(f"{value:g} {from_unit} is below absolute zero (0 K).")
        return from_kelvin(kelvin, to_unit)
    table = LINEAR_UNITS[quantity]
    return value * table[from_unit] / table[to_unit]


def read_parameters(given: dict[str, Any]) -> dict[str, Any]:
    """Convert and check the parameters given by ``sdk.parse_args``.

    They are strings from the command line, or typed values from SCRIPTSMANAGER_PARAMETERS.
    """
    raw = {name.replace("-", "_"): value for name, value in given.items()}  # --from-unit too
    ignored = [f"--{n} {v}" for n, v in given.items() if n.replace("-", "_") not in PARAMETERS]
    if ignored:
        print(f"Note: ignoring unknown arguments: {' '.join(ignored)}", file=sys.stderr)

    quantity = str(raw.get("quantity", "length")).strip().lower()
    if quantity not in QUANTITIES:
        raise InputError(f"--quantity must be one of {', '.join(QUANTITIES)} (got {quantity!r}).")

    value = raw.get("value")
    if value is None or value == "":
        raise InputError("--value is required.")
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"--value must be a number (got {value!r}).") from None
    if not math.isfinite(number):
        raise InputError(f"--value must be a finite number (got {value!r}).")

    units = {}
    for name, role in (("from_unit", "source"), ("to_unit", "target")):
        unit = raw.get(name)
        if unit is None or str(unit).strip() == "":
            raise InputError(
                f"--{name} is required. Valid {quantity} units: {', '.join(valid_units(quantity))}."
            )
        units[name] = canonical_unit(quantity, str(unit), role)
    return {"value": number, "quantity": quantity, **units}


def main() -> int:
    sdk.raise_on_sigterm()
    try:
        args = sdk.parse_args()  # the seven standard arguments; exits with status 2 when invalid
        p = read_parameters(args.params)
        result = convert(p["value"], p["quantity"], p["from_unit"], p["to_unit"])
    except InputError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except sdk.Terminated:
        print("Terminated by SIGTERM.", file=sys.stderr)
        return EXIT_TERMINATED
    print(f"{p['value']:.10g} {p['from_unit']} = {result:.10g} {p['to_unit']}", flush=True)
    if p["quantity"] != "temperature":
        factor = (
            LINEAR_UNITS[p["quantity"]][p["from_unit"]] / LINEAR_UNITS[p["quantity"]][p["to_unit"]]
        )
        print(f"(1 {p['from_unit']} = {factor:.10g} {p['to_unit']})", flush=True)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
