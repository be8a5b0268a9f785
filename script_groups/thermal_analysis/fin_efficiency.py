"""
ScriptsManager Metadata:
@display_name: Fin efficiency
@display_name_es: Eficiencia de aletas
@display_name_it: Efficienza delle alette
@display_name_fr: Rendement d'ailette
@description: Efficiency, effectiveness and heat rate of a straight rectangular fin
@description_es: Eficiencia, efectividad y potencia térmica de una aleta recta rectangular
@description_it: Efficienza, efficacia e potenza termica di un'aletta diritta rettangolare
@description_fr: Rendement, efficacité et flux thermique d'une ailette droite rectangulaire
@description_long: docs/fin_efficiency.md
@description_long_es: docs/fin_efficiency_es.md
@description_long_it: docs/fin_efficiency_it.md
@description_long_fr: docs/fin_efficiency_fr.md
@required_level: operator
@category: thermal
@tags: fin,extended-surface,efficiency,heat-exchanger
@execution_timeout: 60
@parameters: [
  {"name": "length", "type": "float", "required": true, "unit": "m", "min": 0.0001, "max": 10,
   "description": {"en": "Fin length from base to tip", "es": "Longitud de la aleta de la base a la punta",
                   "it": "Lunghezza dell'aletta dalla base all'estremità", "fr": "Longueur de l'ailette de la base à l'extrémité"}},
  {"name": "thickness", "type": "float", "default": 0.002, "unit": "m", "min": 0.00001, "max": 1,
   "description": {"en": "Fin thickness", "es": "Espesor de la aleta", "it": "Spessore dell'aletta", "fr": "Épaisseur de l'ailette"}},
  {"name": "conductivity", "type": "float", "default": 200, "unit": "W/mK", "min": 0.01, "max": 5000,
   "description": {"en": "Thermal conductivity of the fin material", "es": "Conductividad térmica del material de la aleta",
                   "it": "Conducibilità termica del materiale dell'aletta", "fr": "Conductivité thermique du matériau de l'ailette"}},
  {"name": "h", "type": "float", "default": 25, "unit": "W/m²K", "min": 0.01, "max": 100000,
   "description": {"en": "Convective heat transfer coefficient", "es": "Coeficiente de convección",
                   "it": "Coefficiente di scambio convettivo", "fr": "Coefficient d'échange convectif"}},
  {"name": "mode", "type": "select", "options": ["simple", "advanced"], "default": "simple",
   "description": {"en": "Simple: adiabatic tip only. Advanced: choose the tip condition and get extra checks",
                   "es": "Simple: solo punta adiabática. Avanzado: elija la condición en la punta y obtenga comprobaciones adicionales",
                   "it": "Semplice: solo estremità adiabatica. Avanzato: scelta della condizione all'estremità e verifiche aggiuntive",
                   "fr": "Simple : extrémité adiabatique seulement. Avancé : choix de la condition d'extrémité et vérifications supplémentaires"}},
  {"name": "tip_condition", "type": "select", "options": ["adiabatic", "convective"], "default": "adiabatic",
   "visible_if": {"field": "mode", "equals": "advanced"},
   "description": {"en": "Boundary condition at the fin tip", "es": "Condición de contorno en la punta de la aleta",
                   "it": "Condizione al contorno all'estremità dell'aletta", "fr": "Condition aux limites à l'extrémité de l'ailette"}},
  {"name": "report", "type": "bool", "default": true,
   "description": {"en": "Write a JSON report into the data folder", "es": "Escribir un informe JSON en la carpeta de datos",
                   "it": "Scrivere un rapporto JSON nella cartella dei dati", "fr": "Écrire un rapport JSON dans le dossier de données"}}
]
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from typing import Any

import scriptsmanager_sdk as sdk

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT, EXIT_TERMINATED = 0, 1, 2, 143

# name: (default, min, max); None default means required.
FLOAT_PARAMS = {
    "length": (None, 0.0001, 10.0),
    "thickness": (0.002, 0.00001, 1.0),
    "conductivity": (200.0, 0.01, 5000.0),
    "h": (25.0, 0.01, 100000.0),
}
UNITS = {"length": "m", "thickness": "m", "conductivity": "W/mK", "h": "W/m²K"}
PARAMETERS = (*FLOAT_PARAMS, "mode", "tip_condition", "report")


class InputError(Exception):
    """Invalid parameter value (exit code 2)."""


def _to_bool(name: str, value: Any) -> bool:
    try:
        return sdk.as_bool(name, value)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def _to_float(name: str, value: Any, low: float, high: float) -> float:
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"--{name} must be a number in {UNITS[name]} (got {value!r}).") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise InputError(
            f"--{name} must be between {low:g} and {high:g} {UNITS[name]} (got {value})."
        )
    return number


def read_parameters(given: dict[str, Any]) -> dict[str, Any]:
    """Convert and check the parameters given by ``sdk.parse_args``.

    They are strings from the command line, or typed values from SCRIPTSMANAGER_PARAMETERS.
    """
    raw = {name.replace("-", "_"): value for name, value in given.items()}  # --tip-condition too
    ignored = [f"--{n} {v}" for n, v in given.items() if n.replace("-", "_") not in PARAMETERS]
    if ignored:
        print(f"Note: ignoring unknown arguments: {' '.join(ignored)}", file=sys.stderr)

    def value_of(name: str, default: Any) -> Any:
        value = raw.get(name)
        return default if value is None or value == "" else value  # empty = not given

    params: dict[str, Any] = {}
    for name, (default, low, high) in FLOAT_PARAMS.items():
        value = value_of(name, default)
        if value is None or value == "":
            raise InputError(f"--{name} is required (a number in {UNITS[name]}).")
        params[name] = _to_float(name, value, low, high)
    params["mode"] = str(value_of("mode", "simple")).strip().lower()
    if params["mode"] not in ("simple", "advanced"):
        raise InputError(f"--mode must be 'simple' or 'advanced' (got {params['mode']!r}).")
    params["tip_condition"] = str(value_of("tip_condition", "adiabatic")).strip().lower()
    if params["tip_condition"] not in ("adiabatic", "convective"):
        raise InputError(
            f"--tip_condition must be 'adiabatic' or 'convective' (got {params['tip_condition']!r})."
        )
    if params["mode"] == "simple":
        params["tip_condition"] = "adiabatic"  # the option is only offered in advanced mode
    params["report"] = _to_bool("report", value_of("report", True))
    return params


def fin_performance(
    length: float, thickness: float, conductivity: float, h: float, tip_condition: str
) -> dict[str, float]:
    """1-D fin per metre of fin width (width >> thickness, so P = 2 w and A_c = w t).

    Heat rates are per metre of width and per kelvin of base excess temperature
    (theta_b = T_base - T_fluid), in W/(m·K).
    """
    m = math.sqrt(2.0 * h / (conductivity * thickness))
    ml = m * length
    m_factor = math.sqrt(2.0 * h * conductivity * thickness)  # sqrt(h P k A_c) per unit width
    if tip_condition == "adiabatic":
        area = 2.0 * length
        q = m_factor * math.tanh(ml)
    else:
        ratio = h / (m * conductivity)
        area = 2.0 * length + thickness  # both faces plus the tip
        q = (
            m_factor
            * (math.sinh(ml) + ratio * math.cosh(ml))
            / (math.cosh(ml) + ratio * math.sinh(ml))
        )
    efficiency = q / (h * area)
    return {
        "m_per_m": m,
        "mL": ml,
        "efficiency": efficiency,
        "effectiveness": q / (h * thickness),
        "heat_rate_w_per_m_k": q,
        "fin_area_m2_per_m": area,
        "biot": h * (thickness / 2.0) / conductivity,
    }


def corrected_length_efficiency(
    length: float, thickness: float, conductivity: float, h: float
) -> dict[str, float]:
    """Convective tip by the corrected-length approximation L_c = L + t/2."""
    lc = length + thickness / 2.0
    m = math.sqrt(2.0 * h / (conductivity * thickness))
    eta = math.tanh(m * lc) / (m * lc)
    return {"corrected_length_m": lc, "efficiency": eta, "heat_rate_w_per_m_k": eta * h * 2.0 * lc}


def write_report(data_dir: str, report: dict[str, Any]) -> str:
    """Save the report atomically as fin_efficiency_<UTC time stamp>.json; return its path."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d_%H%M%S")
    return str(sdk.DataManager(data_dir).save(report, f"fin_efficiency_{stamp}.json"))


def print_table(rows: list[tuple[str, str, str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    line = "+".join("-" * (w + 2) for w in widths)
    print(f"+{line}+")
    for index, (a, b, c) in enumerate(rows):
        print(f"| {a:<{widths[0]}} | {b:>{widths[1]}} | {c:<{widths[2]}} |")
        if index == 0:
            print(f"+{line}+")
    print(f"+{line}+", flush=True)


def run(argv: list[str] | None = None) -> int:
    args = sdk.parse_args(argv)  # the seven standard arguments; exits with status 2 when invalid
    p = read_parameters(args.params)
    data_dir = str(args.data_dir)

    result = fin_performance(
        p["length"], p["thickness"], p["conductivity"], p["h"], p["tip_condition"]
    )
    warnings: list[str] = []
    if result["biot"] > 0.1:
        warnings.append(
            f"Biot number h(t/2)/k = {result['biot']:.3g} > 0.1: the 1-D fin model "
            "(uniform temperature across the thickness) is questionable."
        )
    if result["effectiveness"] < 2.0:
        warnings.append(
            f"Fin effectiveness {result['effectiveness']:.2f} < 2: the fin hardly "
            "increases the heat transfer; a fin is normally not justified."
        )
    if result["mL"] > 3.0:
        warnings.append(
            f"mL = {result['mL']:.2f} > 3: the outer part of the fin adds almost nothing "
            "(over 99% of the heat of an infinite fin is already reached); a shorter fin will do."
        )

    print(f"Straight rectangular fin, {p['mode']} mode, {p['tip_condition']} tip", flush=True)
    rows = [
        ("Quantity", "Value", "Unit"),
        ("Length L", f"{p['length']:.4g}", "m"),
        ("Thickness t", f"{p['thickness']:.4g}", "m"),
        ("Conductivity k", f"{p['conductivity']:.4g}", "W/mK"),
        ("Film coefficient h", f"{p['h']:.4g}", "W/m²K"),
        ("Fin parameter m", f"{result['m_per_m']:.4f}", "1/m"),
        ("mL", f"{result['mL']:.4f}", "-"),
        ("Efficiency eta", f"{100 * result['efficiency']:.2f}", "%"),
        ("Effectiveness eps", f"{result['effectiveness']:.2f}", "-"),
        ("Heat rate q'", f"{result['heat_rate_w_per_m_k']:.4g}", "W/(m·K) per m width"),
    ]
    corrected = None
    if p["mode"] == "advanced":
        rows.append(("Biot number h(t/2)/k", f"{result['biot']:.3g}", "-"))
        if p["tip_condition"] == "convective":
            corrected = corrected_length_efficiency(
                p["length"], p["thickness"], p["conductivity"], p["h"]
            )
            rows.append(("Corrected length Lc", f"{corrected['corrected_length_m']:.4g}", "m"))
            rows.append(("Efficiency (Lc approx.)", f"{100 * corrected['efficiency']:.2f}", "%"))
            deviation = corrected["heat_rate_w_per_m_k"] / result["heat_rate_w_per_m_k"] - 1.0
            rows.append(("Heat rate error (Lc)", f"{100 * deviation:+.3f}", "%"))
    print_table(rows)
    for message in warnings:
        print(f"Warning: {message}", file=sys.stderr, flush=True)

    if p["report"]:
        report = {
            "script": "fin_efficiency",
            "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "project_id": args.project_id,
            "project_name": args.project_name,
            "inputs": p,
            "assumptions": "1-D steady conduction, constant k and h, width >> thickness; "
            "heat rates per metre of width and per kelvin of base excess temperature",
            "results": result,
            "corrected_length": corrected,
            "warnings": warnings,
        }
        try:
            path = write_report(data_dir, report)  # creates the data folder if needed
        except OSError as exc:
            print(f"Error: cannot write the report into {data_dir}: {exc}", file=sys.stderr)
            return EXIT_FAILURE
        print(f"Report written to {path}", flush=True)
    return EXIT_OK


def main() -> int:
    sdk.raise_on_sigterm()
    try:
        return run()
    except InputError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except sdk.Terminated:
        print("Terminated by SIGTERM; no report written.", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
