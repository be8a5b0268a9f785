"""
ScriptsManager Metadata:
@display_name: Heat transfer calculator
@display_name_es: Calculadora de transferencia de calor
@display_name_it: Calcolatore di trasmissione del calore
@display_name_fr: Calculateur de transfert thermique
@description: Composite wall conduction and convection: U-value, heat flux and interface temperatures
@description_es: Conducción y convección en muros compuestos: valor U, flujo de calor y temperaturas de interfaz
@description_it: Conduzione e convezione in pareti composte: trasmittanza U, flusso termico e temperature di interfaccia
@description_fr: Conduction et convection dans une paroi composite : coefficient U, flux thermique et températures d'interface
@description_long: docs/heat_transfer.md
@description_long_es: docs/heat_transfer_es.md
@description_long_it: docs/heat_transfer_it.md
@description_long_fr: docs/heat_transfer_fr.md
@required_level: operator
@category: thermal
@tags: heat,conduction,convection,u-value,interface
@execution_timeout: 3600
@auto_open_interface: true
@interface: true
@parameters: [
  {"name": "wall_material", "type": "select", "options": ["steel", "aluminium", "copper"], "default": "steel",
   "description": {"en": "Material of the two metal skins of the default wall (sandwich panel); used when no saved configuration exists",
                   "es": "Material de las dos chapas metálicas del muro por defecto (panel sándwich); se usa cuando no hay configuración guardada",
                   "it": "Materiale delle due lamiere metalliche della parete predefinita (pannello sandwich); usato quando non esiste una configurazione salvata",
                   "fr": "Matériau des deux parements métalliques de la paroi par défaut (panneau sandwich) ; utilisé lorsqu'aucune configuration n'est enregistrée"}},
  {"name": "area", "type": "float", "unit": "m²", "min": 0.01, "default": 10,
   "description": {"en": "Wall area used for the total heat rate",
                   "es": "Superficie del muro usada para el flujo de calor total",
                   "it": "Superficie della parete usata per la potenza termica totale",
                   "fr": "Surface de paroi utilisée pour le flux thermique total"}}
]
"""

from __future__ import annotations

import math
import sys
from typing import Any

import scriptsmanager_sdk as sdk
from flask import Flask, Response, abort, jsonify, request

# ---------------------------------------------------------------------------
# Physical data
# ---------------------------------------------------------------------------

# Typical design thermal conductivities in W/(m·K) (order of magnitude of
# EN ISO 10456 tabulated values; check product data for real designs).
MATERIALS: dict[str, float] = {
    "steel": 50.0,
    "stainless_steel": 17.0,
    "aluminium": 160.0,
    "copper": 380.0,
    "concrete": 2.3,
    "brick": 0.77,
    "gypsum_board": 0.25,
    "timber": 0.13,
    "glass": 1.0,
    "mineral_wool": 0.040,
    "eps": 0.035,
    "pir": 0.023,
}
WALL_MATERIALS = ("steel", "aluminium", "copper")

MAX_LAYERS = 10
CONFIG_VERSION = 1

# Accepted ranges: (min, max), both inclusive unless noted in validate_config.
LIMITS = {
    "inside_temp_c": (-273.15, 2000.0),
    "outside_temp_c": (-273.15, 2000.0),
    "h_inside": (0.1, 100000.0),
    "h_outside": (0.1, 100000.0),
    "thickness_mm": (0.001, 10000.0),
    "conductivity": (0.001, 5000.0),
}

# ---------------------------------------------------------------------------
# UI strings
# ---------------------------------------------------------------------------

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Heat transfer calculator",
        "project": "Project",
        "area": "Wall area",
        "area_hint": "set when the script is launched",
        "boundary": "Boundary conditions",
        "inside_temp_c": "Inside air temperature",
        "outside_temp_c": "Outside air temperature",
        "h_inside": "Inside film coefficient",
        "h_outside": "Outside film coefficient",
        "layers": "Layers (inside to outside)",
        "layer_name": "Layer",
        "material": "Material",
        "thickness_mm": "Thickness",
        "conductivity": "Conductivity",
        "resistance": "Resistance",
        "add_layer": "Add layer",
        "remove": "Remove",
        "calculate": "Calculate",
        "reset": "Reset to defaults",
        "results": "Results",
        "u_value": "U-value",
        "r_total": "Total resistance",
        "heat_flux": "Heat flux",
        "heat_rate": "Total heat rate",
        "position": "Position",
        "temperature": "Temperature",
        "delta_t": "Temperature drop",
        "share": "Share of resistance",
        "inside_air": "Inside air",
        "inside_surface": "Inside surface",
        "outside_surface": "Outside surface",
        "outside_air": "Outside air",
        "interface_after": "After",
        "inside_film": "Inside film",
        "outside_film": "Outside film",
        "saved": "Inputs saved.",
        "reset_done": "Default wall restored.",
        "error": "Please correct the inputs:",
        "network_error": "The calculator did not answer.",
        "no_results": "Press Calculate to see the results.",
        "custom": "Custom",
        "steel": "Carbon steel",
        "stainless_steel": "Stainless steel",
        "aluminium": "Aluminium alloy",
        "copper": "Copper",
        "concrete": "Reinforced concrete",
        "brick": "Clay brick",
        "gypsum_board": "Gypsum board",
        "timber": "Softwood timber",
        "glass": "Glass",
        "mineral_wool": "Mineral wool",
        "eps": "Expanded polystyrene (EPS)",
        "pir": "Polyisocyanurate (PIR)",
        "default_inner_skin": "Inner skin",
        "default_core": "Insulation core",
        "default_outer_skin": "Outer skin",
        "new_layer": "New layer",
        "err_number": "{field}: enter a number between {min} and {max}",
        "err_layers": "enter between 1 and {max} layers",
        "err_layer": "layer {index}: {detail}",
        "err_name": "layer {index}: the name may have at most 60 characters",
        "err_body": "the request must be a JSON object",
    },
    "es": {
        "title": "Calculadora de transferencia de calor",
        "project": "Proyecto",
        "area": "Superficie del muro",
        "area_hint": "se fija al lanzar el script",
        "boundary": "Condiciones de contorno",
        "inside_temp_c": "Temperatura del aire interior",
        "outside_temp_c": "Temperatura del aire exterior",
        "h_inside": "Coeficiente de película interior",
        "h_outside": "Coeficiente de película exterior",
        "layers": "Capas (de dentro hacia fuera)",
        "layer_name": "Capa",
        "material": "Material",
        "thickness_mm": "Espesor",
        "conductivity": "Conductividad",
        "resistance": "Resistencia",
        "add_layer": "Añadir capa",
        "remove": "Quitar",
        "calculate": "Calcular",
        "reset": "Restablecer valores por defecto",
        "results": "Resultados",
        "u_value": "Valor U",
        "r_total": "Resistencia total",
        "heat_flux": "Flujo de calor",
        "heat_rate": "Potencia térmica total",
        "position": "Posición",
        "temperature": "Temperatura",
        "delta_t": "Caída de temperatura",
        "share": "Parte de la resistencia",
        "inside_air": "Aire interior",
        "inside_surface": "Superficie interior",
        "outside_surface": "Superficie exterior",
        "outside_air": "Aire exterior",
        "interface_after": "Tras",
        "inside_film": "Película interior",
        "outside_film": "Película exterior",
        "saved": "Datos guardados.",
        "reset_done": "Muro por defecto restablecido.",
        "error": "Corrija los datos:",
        "network_error": "La calculadora no ha respondido.",
        "no_results": "Pulse Calcular para ver los resultados.",
        "custom": "Personalizado",
        "steel": "Acero al carbono",
        "stainless_steel": "Acero inoxidable",
        "aluminium": "Aleación de aluminio",
        "copper": "Cobre",
        "concrete": "Hormigón armado",
        "brick": "Ladrillo cerámico",
        "gypsum_board": "Placa de yeso",
        "timber": "Madera de conífera",
        "glass": "Vidrio",
        "mineral_wool": "Lana mineral",
        "eps": "Poliestireno expandido (EPS)",
        "pir": "Poliisocianurato (PIR)",
        "default_inner_skin": "Chapa interior",
        "default_core": "Núcleo aislante",
        "default_outer_skin": "Chapa exterior",
        "new_layer": "Nueva capa",
        "err_number": "{field}: introduzca un número entre {min} y {max}",
        "err_layers": "introduzca entre 1 y {max} capas",
        "err_layer": "capa {index}: {detail}",
        "err_name": "capa {index}: el nombre admite como máximo 60 caracteres",
        "err_body": "la petición debe ser un objeto JSON",
    },
    "it": {
        "title": "Calcolatore di trasmissione del calore",
        "project": "Progetto",
        "area": "Superficie della parete",
        "area_hint": "impostata all'avvio dello script",
        "boundary": "Condizioni al contorno",
        "inside_temp_c": "Temperatura dell'aria interna",
        "outside_temp_c": "Temperatura dell'aria esterna",
        "h_inside": "Coefficiente liminare interno",
        "h_outside": "Coefficiente liminare esterno",
        "layers": "Strati (dall'interno all'esterno)",
        "layer_name": "Strato",
        "material": "Materiale",
        "thickness_mm": "Spessore",
        "conductivity": "Conducibilità",
        "resistance": "Resistenza",
        "add_layer": "Aggiungi strato",
        "remove": "Rimuovi",
        "calculate": "Calcola",
        "reset": "Ripristina i valori predefiniti",
        "results": "Risultati",
        "u_value": "Trasmittanza U",
        "r_total": "Resistenza totale",
        "heat_flux": "Flusso termico",
        "heat_rate": "Potenza termica totale",
        "position": "Posizione",
        "temperature": "Temperatura",
        "delta_t": "Salto di temperatura",
        "share": "Quota della resistenza",
        "inside_air": "Aria interna",
        "inside_surface": "Superficie interna",
        "outside_surface": "Superficie esterna",
        "outside_air": "Aria esterna",
        "interface_after": "Dopo",
        "inside_film": "Strato liminare interno",
        "outside_film": "Strato liminare esterno",
        "saved": "Dati salvati.",
        "reset_done": "Parete predefinita ripristinata.",
        "error": "Correggere i dati:",
        "network_error": "Il calcolatore non ha risposto.",
        "no_results": "Premere Calcola per vedere i risultati.",
        "custom": "Personalizzato",
        "steel": "Acciaio al carbonio",
        "stainless_steel": "Acciaio inossidabile",
        "aluminium": "Lega di alluminio",
        "copper": "Rame",
        "concrete": "Calcestruzzo armato",
        "brick": "Laterizio",
        "gypsum_board": "Lastra di cartongesso",
        "timber": "Legno di conifera",
        "glass": "Vetro",
        "mineral_wool": "Lana minerale",
        "eps": "Polistirene espanso (EPS)",
        "pir": "Poliisocianurato (PIR)",
        "default_inner_skin": "Lamiera interna",
        "default_core": "Nucleo isolante",
        "default_outer_skin": "Lamiera esterna",
        "new_layer": "Nuovo strato",
        "err_number": "{field}: inserire un numero tra {min} e {max}",
        "err_layers": "inserire da 1 a {max} strati",
        "err_layer": "strato {index}: {detail}",
        "err_name": "strato {index}: il nome può avere al massimo 60 caratteri",
        "err_body": "la richiesta deve essere un oggetto JSON",
    },
    "fr": {
        "title": "Calculateur de transfert thermique",
        "project": "Projet",
        "area": "Surface de paroi",
        "area_hint": "fixée au lancement du script",
        "boundary": "Conditions aux limites",
        "inside_temp_c": "Température de l'air intérieur",
        "outside_temp_c": "Température de l'air extérieur",
        "h_inside": "Coefficient d'échange superficiel intérieur",
        "h_outside": "Coefficient d'échange superficiel extérieur",
        "layers": "Couches (de l'intérieur vers l'extérieur)",
        "layer_name": "Couche",
        "material": "Matériau",
        "thickness_mm": "Épaisseur",
        "conductivity": "Conductivité",
        "resistance": "Résistance",
        "add_layer": "Ajouter une couche",
        "remove": "Supprimer",
        "calculate": "Calculer",
        "reset": "Rétablir les valeurs par défaut",
        "results": "Résultats",
        "u_value": "Coefficient U",
        "r_total": "Résistance totale",
        "heat_flux": "Densité de flux",
        "heat_rate": "Flux thermique total",
        "position": "Position",
        "temperature": "Température",
        "delta_t": "Chute de température",
        "share": "Part de la résistance",
        "inside_air": "Air intérieur",
        "inside_surface": "Surface intérieure",
        "outside_surface": "Surface extérieure",
        "outside_air": "Air extérieur",
        "interface_after": "Après",
        "inside_film": "Échange superficiel intérieur",
        "outside_film": "Échange superficiel extérieur",
        "saved": "Données enregistrées.",
        "reset_done": "Paroi par défaut rétablie.",
        "error": "Veuillez corriger les données :",
        "network_error": "Le calculateur n'a pas répondu.",
        "no_results": "Cliquez sur Calculer pour afficher les résultats.",
        "custom": "Personnalisé",
        "steel": "Acier au carbone",
        "stainless_steel": "Acier inoxydable",
        "aluminium": "Alliage d'aluminium",
        "copper": "Cuivre",
        "concrete": "Béton armé",
        "brick": "Brique de terre cuite",
        "gypsum_board": "Plaque de plâtre",
        "timber": "Bois résineux",
        "glass": "Verre",
        "mineral_wool": "Laine minérale",
        "eps": "Polystyrène expansé (PSE)",
        "pir": "Polyisocyanurate (PIR)",
        "default_inner_skin": "Parement intérieur",
        "default_core": "Âme isolante",
        "default_outer_skin": "Parement extérieur",
        "new_layer": "Nouvelle couche",
        "err_number": "{field} : saisissez un nombre entre {min} et {max}",
        "err_layers": "saisissez entre 1 et {max} couches",
        "err_layer": "couche {index} : {detail}",
        "err_name": "couche {index} : le nom peut comporter au plus 60 caractères",
        "err_body": "la requête doit être un objet JSON",
    },
}

UNITS = {
    "inside_temp_c": "°C",
    "outside_temp_c": "°C",
    "h_inside": "W/m²K",
    "h_outside": "W/m²K",
    "thickness_mm": "mm",
    "conductivity": "W/mK",
}

# ---------------------------------------------------------------------------
# Configuration: defaults and validation (storage: the SDK's DataManager)
# ---------------------------------------------------------------------------


def default_config(wall_material: str, tr: dict[str, str]) -> dict[str, Any]:
    """Metal-faced sandwich panel with a mineral wool core (ISO 6946 film values)."""
    k_skin = MATERIALS[wall_material]
    return {
        "version": CONFIG_VERSION,
        "inside_temp_c": 20.0,
        "outside_temp_c": -5.0,
        "h_inside": 7.69,  # R_si = 0.13 m²K/W
        "h_outside": 25.0,  # R_se = 0.04 m²K/W
        "layers": [
            {
                "name": tr["default_inner_skin"],
                "material": wall_material,
                "thickness_mm": 0.5,
                "conductivity": k_skin,
            },
            {
                "name": tr["default_core"],
                "material": "mineral_wool",
                "thickness_mm": 100.0,
                "conductivity": MATERIALS["mineral_wool"],
            },
            {
                "name": tr["default_outer_skin"],
                "material": wall_material,
                "thickness_mm": 0.6,
                "conductivity": k_skin,
            },
        ],
    }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def validate_config(data: Any, tr: dict[str, str]) -> tuple[dict[str, Any] | None, list[str]]:
    """Return (clean config, []) or (None, [localized error, ...])."""
    if not isinstance(data, dict):
        return None, [tr["err_body"]]
    errors: list[str] = []
    clean: dict[str, Any] = {"version": CONFIG_VERSION}

    def check(key: str, value: Any, label: str) -> float | None:
        low, high = LIMITS[key]
        number = _number(value)
        if number is None or not low <= number <= high:
            errors.append(
                tr["err_number"].format(
                    field=f"{label} [{UNITS[key]}]", min=f"{low:g}", max=f"{high:g}"
                )
            )
            return None
        return number

    for key in ("inside_temp_c", "outside_temp_c", "h_inside", "h_outside"):
        clean[key] = check(key, data.get(key), tr[key])

    layers = data.get("layers")
    if not isinstance(layers, list) or not 1 <= len(layers) <= MAX_LAYERS:
        errors.append(tr["err_layers"].format(max=MAX_LAYERS))
        layers = []
    clean_layers = []
    for index, layer in enumerate(layers, start=1):
        if not isinstance(layer, dict):
            errors.append(tr["err_layer"].format(index=index, detail=tr["err_body"]))
            continue
        name = layer.get("name")
        name = name.strip() if isinstance(name, str) else ""
        if len(name) > 60:
            errors.append(tr["err_name"].format(index=index))
        material = layer.get("material")
        if material not in MATERIALS:
            material = "custom"
        thickness = check(
            "thickness_mm",
            layer.get("thickness_mm"),
            f"{tr['layer_name']} {index} – {tr['thickness_mm']}",
        )
        conductivity = check(
            "conductivity",
            layer.get("conductivity"),
            f"{tr['layer_name']} {index} – {tr['conductivity']}",
        )
        clean_layers.append(
            {
                "name": name or f"{tr['layer_name']} {index}",
                "material": material,
                "thickness_mm": thickness,
                "conductivity": conductivity,
            }
        )
    clean["layers"] = clean_layers
    if errors:
        return None, errors
    return clean, []


# ---------------------------------------------------------------------------
# Calculation
# ---------------------------------------------------------------------------


def calculate(config: dict[str, Any], area: float) -> dict[str, Any]:
    """Steady 1-D conduction through layers in series with two convective films."""
    t_in = config["inside_temp_c"]
    t_out = config["outside_temp_c"]
    r_si = 1.0 / config["h_inside"]
    r_se = 1.0 / config["h_outside"]
    layer_r = [
        (layer["thickness_mm"] / 1000.0) / layer["conductivity"] for layer in config["layers"]
    ]
    r_total = r_si + sum(layer_r) + r_se
    u_value = 1.0 / r_total
    q = u_value * (t_in - t_out)  # W/m², positive from inside to outside

    # Walk from the inside air to the outside air: T_next = T_prev - q * R.
    points = [{"key": "inside_air", "temperature_c": t_in}]
    temp = t_in - q * r_si
    points.append({"key": "inside_surface", "temperature_c": temp})
    resistances = [{"key": "inside_film", "resistance": r_si, "delta_t": q * r_si}]
    for index, (layer, r) in enumerate(zip(config["layers"], layer_r, strict=True)):
        temp -= q * r
        resistances.append(
            {"key": "layer", "name": layer["name"], "resistance": r, "delta_t": q * r}
        )
        if index < len(layer_r) - 1:
            points.append({"key": "interface_after", "name": layer["name"], "temperature_c": temp})
    points.append({"key": "outside_surface", "temperature_c": temp})
    points.append({"key": "outside_air", "temperature_c": t_out})
    resistances.append({"key": "outside_film", "resistance": r_se, "delta_t": q * r_se})
    for item in resistances:
        item["share"] = item["resistance"] / r_total

    return {
        "area_m2": area,
        "r_total": r_total,
        "u_value": u_value,
        "heat_flux": q,
        "heat_rate": q * area,
        "points": points,
        "resistances": resistances,
    }


# ---------------------------------------------------------------------------
# Web page: the SDK's branded page (header, logo, theme, stylesheet) plus this
# calculator's body, extra CSS and JS; no external resources. The JS uses URLs
# relative to the page ("api/config") so that it works behind the manager's proxy.
# ---------------------------------------------------------------------------

HEAD = """<link rel="stylesheet" href="{{ url_for('app_css') }}">"""

BODY = """<p class="summary muted">{{ sm.t("area") }}: <strong>{{ '%g' % area }} m²</strong>
  <span class="hint">({{ sm.t("area_hint") }})</span></p>
<form id="calc" novalidate>
  <section class="card">
    <h2>{{ sm.t("boundary") }}</h2>
    <div class="grid">
      {% for key in ["inside_temp_c", "outside_temp_c", "h_inside", "h_outside"] %}
      <label>{{ sm.t(key) }} <span class="unit">[{{ units[key] }}]</span>
        <input type="number" step="any" name="{{ key }}" id="{{ key }}" required>
      </label>
      {% endfor %}
    </div>
  </section>
  <section class="card">
    <h2>{{ sm.t("layers") }}</h2>
    <table class="layers">
      <thead><tr>
        <th>{{ sm.t("layer_name") }}</th><th>{{ sm.t("material") }}</th>
        <th>{{ sm.t("thickness_mm") }} [mm]</th><th>{{ sm.t("conductivity") }} [W/mK]</th><th></th>
      </tr></thead>
      <tbody id="layer-rows"></tbody>
    </table>
    <div class="actions">
      <button type="button" id="add-layer" class="secondary">{{ sm.t("add_layer") }}</button>
      <button type="button" id="reset" class="secondary">{{ sm.t("reset") }}</button>
      <button type="submit" id="calculate">{{ sm.t("calculate") }}</button>
    </div>
    <div id="status" role="status" aria-live="polite"></div>
  </section>
</form>
<section class="card" id="results">
  <h2>{{ sm.t("results") }}</h2>
  <p class="muted" id="no-results">{{ sm.t("no_results") }}</p>
  <div id="result-body" hidden>
    <div class="kpis">
      <div><span>{{ sm.t("u_value") }}</span><strong id="r-u"></strong> W/m²K</div>
      <div><span>{{ sm.t("r_total") }}</span><strong id="r-r"></strong> m²K/W</div>
      <div><span>{{ sm.t("heat_flux") }}</span><strong id="r-q"></strong> W/m²</div>
      <div><span>{{ sm.t("heat_rate") }}</span><strong id="r-qa"></strong> W</div>
    </div>
    <div class="two">
      <table><thead><tr><th>{{ sm.t("position") }}</th><th>{{ sm.t("temperature") }} [°C]</th></tr></thead>
        <tbody id="r-points"></tbody></table>
      <table><thead><tr><th></th><th>{{ sm.t("resistance") }} [m²K/W]</th><th>{{ sm.t("delta_t") }} [K]</th><th>{{ sm.t("share") }}</th></tr></thead>
        <tbody id="r-res"></tbody></table>
    </div>
  </div>
</section>
<script type="application/json" id="ui-data">{{ ui_data|tojson }}</script>
<script src="{{ url_for('app_js') }}"></script>
"""

# Extras on top of the SDK stylesheet (its --sm-* colours follow the theme).
CSS = """
#calc { display:grid; gap:16px; }
.summary { margin:0; }
.hint, .unit { color:var(--sm-muted); font-size:.85em; }
input:invalid { border-color:var(--sm-err); }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
button.link { background:none; border:none; color:var(--sm-err); padding:2px 4px; }
#status { margin-top:10px; min-height:1.4em; } #status.err { color:var(--sm-err); } #status.ok { color:var(--sm-ok); }
#status ul { margin:4px 0 0 18px; padding:0; }
.kpis { display:grid; grid-template-columns:repeat(auto-fit, minmax(180px, 1fr)); gap:10px; margin-bottom:14px; }
.kpis div { border:1px solid var(--sm-line); border-radius:8px; padding:8px 10px; }
.kpis span { display:block; font-size:.85rem; color:var(--sm-muted); }
.kpis strong { font-size:1.25rem; color:var(--sm-accent); }
.two { display:grid; grid-template-columns:repeat(auto-fit, minmax(320px, 1fr)); gap:16px; }
"""

JS = r"""
(function () {
  "use strict";
  var ui = JSON.parse(document.getElementById("ui-data").textContent);
  var t = ui.strings;
  var fields = ["inside_temp_c", "outside_temp_c", "h_inside", "h_outside"];
  var rows = document.getElementById("layer-rows");
  var status = document.getElementById("status");
  var fmt = function (x, digits) {
    return Number(x).toLocaleString(ui.lang, {maximumFractionDigits: digits, minimumFractionDigits: digits});
  };
  var sig = function (x) { return Number(Number(x).toPrecision(4)).toLocaleString(ui.lang); };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function materialSelect(value) {
    var select = el("select", {"data-k": "material", "aria-label": t.material});
    ui.materials.concat(["custom"]).forEach(function (m) {
      var option = el("option", {value: m}, t[m] + (m !== "custom" ? " (" + ui.conductivity[m] + ")" : ""));
      if (m === value) option.selected = true;
      select.appendChild(option);
    });
    return select;
  }

  function addRow(layer) {
    if (rows.children.length >= ui.max_layers) return;
    var tr = el("tr");
    var name = el("input", {type: "text", maxlength: "60", "data-k": "name", "aria-label": t.layer_name});
    name.value = layer.name || "";
    var mat = materialSelect(layer.material || "custom");
    var thick = el("input", {type: "number", step: "any", min: "0.001", "data-k": "thickness_mm", "aria-label": t.thickness_mm});
    thick.value = layer.thickness_mm;
    var k = el("input", {type: "number", step: "any", min: "0.001", "data-k": "conductivity", "aria-label": t.conductivity});
    k.value = layer.conductivity;
    mat.addEventListener("change", function () {
      if (mat.value !== "custom") k.value = ui.conductivity[mat.value];
    });
    k.addEventListener("input", function () {
      if (mat.value !== "custom" && Number(k.value) !== ui.conductivity[mat.value]) mat.value = "custom";
    });
    var remove = el("button", {type: "button", "class": "link", title: t.remove}, "✕");
    remove.addEventListener("click", function () { if (rows.children.length > 1) tr.remove(); });
    [name, mat, thick, k, remove].forEach(function (input) { var td = el("td"); td.appendChild(input); tr.appendChild(td); });
    rows.appendChild(tr);
  }

  function fill(config) {
    fields.forEach(function (f) { document.getElementById(f).value = config[f]; });
    rows.textContent = "";
    config.layers.forEach(addRow);
  }

  function collect() {
    var num = function (v) { return v === "" ? null : Number(v); };
    var data = {};
    fields.forEach(function (f) { data[f] = num(document.getElementById(f).value); });
    data.layers = Array.prototype.map.call(rows.children, function (tr) {
      var get = function (k) { return tr.querySelector("[data-k='" + k + "']").value; };
      return {name: get("name"), material: get("material"),
              thickness_mm: num(get("thickness_mm")), conductivity: num(get("conductivity"))};
    });
    return data;
  }

  function showStatus(kind, message, errors) {
    status.className = kind;
    status.textContent = message;
    if (errors && errors.length) {
      var list = el("ul");
      errors.forEach(function (e) { list.appendChild(el("li", {}, e)); });
      status.appendChild(list);
    }
  }

  function label(item) {
    if (item.key === "interface_after") return t.interface_after + " " + item.name;
    if (item.key === "layer") return item.name;
    return t[item.key];
  }

  function showResults(r) {
    document.getElementById("no-results").hidden = true;
    document.getElementById("result-body").hidden = false;
    document.getElementById("r-u").textContent = sig(r.u_value);
    document.getElementById("r-r").textContent = sig(r.r_total);
    document.getElementById("r-q").textContent = fmt(r.heat_flux, 2);
    document.getElementById("r-qa").textContent = fmt(r.heat_rate, 1);
    var points = document.getElementById("r-points");
    points.textContent = "";
    r.points.forEach(function (p) {
      var tr = el("tr");
      tr.appendChild(el("td", {}, label(p)));
      tr.appendChild(el("td", {"class": "num"}, fmt(p.temperature_c, 2)));
      points.appendChild(tr);
    });
    var res = document.getElementById("r-res");
    res.textContent = "";
    r.resistances.forEach(function (p) {
      var tr = el("tr");
      tr.appendChild(el("td", {}, label(p)));
      tr.appendChild(el("td", {"class": "num"}, sig(p.resistance)));
      tr.appendChild(el("td", {"class": "num"}, fmt(p.delta_t, 2)));
      tr.appendChild(el("td", {"class": "num"}, fmt(100 * p.share, 1) + " %"));
      res.appendChild(tr);
    });
  }

  function post(url, body) {
    return fetch(url, {method: "POST", headers: {"Content-Type": "application/json"},
                       body: JSON.stringify(body || {})})
      .then(function (resp) { return resp.json(); });
  }

  document.getElementById("calc").addEventListener("submit", function (ev) {
    ev.preventDefault();
    post("api/calculate", collect()).then(function (data) {
      if (!data.ok) { showStatus("err", t.error, data.errors); return; }
      showStatus("ok", t.saved);
      showResults(data.results);
    }).catch(function () { showStatus("err", t.network_error); });
  });
  document.getElementById("add-layer").addEventListener("click", function () {
    addRow({name: t.new_layer + " " + (rows.children.length + 1), material: "mineral_wool",
            thickness_mm: 50, conductivity: ui.conductivity.mineral_wool});
  });
  document.getElementById("reset").addEventListener("click", function () {
    post("api/reset").then(function (data) {
      if (!data.ok) { showStatus("err", t.error, data.errors); return; }
      fill(data.config);
      showStatus("ok", t.reset_done);
      showResults(data.results);
    }).catch(function () { showStatus("err", t.network_error); });
  });

  fetch("api/config").then(function (resp) { return resp.json(); })
    .then(function (config) { fill(config); })
    .catch(function () { showStatus("err", t.network_error); });
})();
"""


# ---------------------------------------------------------------------------
# Application
# ---------------------------------------------------------------------------


def build_app(args: sdk.ScriptArgs, wall_material: str, area: float) -> Flask:
    """The calculator on an SDK app (token, Host check, proxy prefix, branding)."""
    language = args.language
    tr = STRINGS[language]
    data = sdk.DataManager(args.data_dir)
    app = sdk.create_app(__name__, args, translations=STRINGS)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024

    def current_config() -> dict[str, Any]:
        """The saved inputs; a missing, corrupt or invalid config.json gives the default wall."""
        stored = data.load("config.json")
        if stored is None:
            return default_config(wall_material, tr)
        config, errors = validate_config(stored, tr)
        if config is None:
            print(f"Warning: ignoring invalid {data.path()}: {'; '.join(errors)}", file=sys.stderr)
            return default_config(wall_material, tr)
        return config

    def json_body() -> Any:
        # Only application/json is accepted: a plain cross-site form cannot send it.
        if not request.is_json:
            abort(415)
        return request.get_json(silent=True)

    @app.after_request
    def headers(resp: Response) -> Response:
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'"
        )
        resp.headers["Referrer-Policy"] = "no-referrer"
        if request.path.startswith("/api/"):
            resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.errorhandler(413)
    @app.errorhandler(415)
    def bad_request(err):  # type: ignore[no-untyped-def]
        return jsonify(ok=False, errors=[tr["err_body"]]), err.code

    @app.get("/")
    def index() -> str:
        ui_data = {
            "lang": language,
            "strings": tr,
            "materials": list(MATERIALS),
            "conductivity": MATERIALS,
            "max_layers": MAX_LAYERS,
        }
        return sdk.page(tr["title"], BODY, head_html=HEAD, area=area, units=UNITS, ui_data=ui_data)

    @app.get("/app.css")
    def app_css() -> Response:
        return Response(CSS, mimetype="text/css")

    @app.get("/app.js")
    def app_js() -> Response:
        return Response(JS, mimetype="text/javascript")

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status=204)

    @app.get("/api/config")
    def get_config() -> Response:
        return jsonify(current_config())

    @app.post("/api/config")
    def post_config():  # type: ignore[no-untyped-def]
        config, errors = validate_config(json_body(), tr)
        if config is None:
            return jsonify(ok=False, errors=errors), 400
        data.save(config)
        return jsonify(ok=True, config=config)

    @app.post("/api/calculate")
    def post_calculate():  # type: ignore[no-untyped-def]
        config, errors = validate_config(json_body(), tr)
        if config is None:
            return jsonify(ok=False, errors=errors), 400
        data.save(config)
        return jsonify(ok=True, config=config, results=calculate(config, area))

    @app.post("/api/reset")
    def post_reset():  # type: ignore[no-untyped-def]
        json_body()
        config = default_config(wall_material, tr)
        data.save(config)
        return jsonify(ok=True, config=config, results=calculate(config, area))

    return app


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = sdk.parse_args(argv)  # the standard arguments; exits with status 2 when invalid
    params = args.params  # SCRIPTSMANAGER_PARAMETERS, else --wall_material/--area
    wall_material = params.get("wall_material", params.get("wall-material", "steel"))
    if wall_material not in WALL_MATERIALS:
        print(
            f"Error: --wall_material must be one of {', '.join(WALL_MATERIALS)} "
            f"(got {wall_material!r}).",
            file=sys.stderr,
        )
        return 2
    area = _number(params.get("area", 10))
    if area is None or area < 0.01:
        print(
            f"Error: --area must be a number of at least 0.01 m² (got {params.get('area')!r}).",
            file=sys.stderr,
        )
        return 2

    try:
        app = build_app(args, wall_material, area)
    except OSError as exc:
        print(f"Error: cannot create the data folder {args.data_dir}: {exc}", file=sys.stderr)
        return 1
    print(
        f"Heat transfer calculator (project: {args.project_name or '-'}, data: {args.data_dir})",
        flush=True,
    )
    sdk.run(app, args)  # until SIGTERM or Ctrl+C
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
