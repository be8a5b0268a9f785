"""
ScriptsManager Metadata:
@display_name: CSV to JSON converter
@display_name_es: Conversor de CSV a JSON
@display_name_it: Convertitore da CSV a JSON
@display_name_fr: Convertisseur CSV vers JSON
@description: Convert a CSV file into a JSON array of objects, optionally keeping only some columns
@description_es: Convierte un archivo CSV en un array JSON de objetos, conservando opcionalmente solo algunas columnas
@description_it: Converte un file CSV in un array JSON di oggetti, mantenendo facoltativamente solo alcune colonne
@description_fr: Convertit un fichier CSV en tableau JSON d'objets, en ne gardant éventuellement que certaines colonnes
@description_long: docs/csv_to_json.md
@description_long_es: docs/csv_to_json_es.md
@description_long_it: docs/csv_to_json_it.md
@description_long_fr: docs/csv_to_json_fr.md
@required_level: operator
@category: data
@tags: csv,json,conversion,import
@execution_timeout: 1800
@parameters: [
  {"name": "input_file", "type": "file", "required": true,
   "description": {"en": "CSV file to convert (UTF-8, first row = column names)",
                   "es": "Archivo CSV que se convierte (UTF-8, primera fila = nombres de columna)",
                   "it": "File CSV da convertire (UTF-8, prima riga = nomi delle colonne)",
                   "fr": "Fichier CSV à convertir (UTF-8, première ligne = noms des colonnes)"}},
  {"name": "delimiter", "type": "select", "options": [",", ";", "tab"], "default": ",",
   "description": {"en": "Field separator", "es": "Separador de campos", "it": "Separatore di campo", "fr": "Séparateur de champs"}},
  {"name": "fields", "type": "string", "required": false, "max": 4000,
   "description": {"en": "Columns to keep, comma-separated (empty = all columns)",
                   "es": "Columnas que se conservan, separadas por comas (vacío = todas)",
                   "it": "Colonne da mantenere, separate da virgole (vuoto = tutte)",
                   "fr": "Colonnes à conserver, séparées par des virgules (vide = toutes)"}},
  {"name": "pretty", "type": "bool", "default": false,
   "description": {"en": "Indent the JSON output for reading", "es": "Indentar la salida JSON para leerla",
                   "it": "Indentare l'output JSON per la lettura", "fr": "Indenter la sortie JSON pour la lecture"}},
  {"name": "output_name", "type": "string", "default": "converted", "pattern": "^[A-Za-z0-9_-]{1,64}$",
   "description": {"en": "Output file name without extension (letters, digits, _ and -)",
                   "es": "Nombre del archivo de salida sin extensión (letras, cifras, _ y -)",
                   "it": "Nome del file di output senza estensione (lettere, cifre, _ e -)",
                   "fr": "Nom du fichier de sortie sans extension (lettres, chiffres, _ et -)"}}
]
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
import tempfile
import textwrap
from typing import Any

import scriptsmanager_sdk as sdk

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT, EXIT_TERMINATED = 0, 1, 2, 143
PROGRESS_EVERY = 10_000
OUTPUT_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DELIMITERS = {",": ",", ";": ";", "tab": "\t", "\\t": "\t", "\t": "\t"}
PARAMETERS = ("input_file", "delimiter", "fields", "pretty", "output_name")


class InputError(Exception):
    """Bad parameter, missing or malformed input (exit code 2)."""


def _to_bool(name: str, value: Any) -> bool:
    try:
        return sdk.as_bool(name, value)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def read_parameters(given: dict[str, Any]) -> dict[str, Any]:
    """Convert and check the parameters given by ``sdk.parse_args``.

    They are strings from the command line, or typed values from SCRIPTSMANAGER_PARAMETERS.
    """
    raw = {name.replace("-", "_"): value for name, value in given.items()}  # --input-file too
    ignored = [f"--{n} {v}" for n, v in given.items() if n.replace("-", "_") not in PARAMETERS]
    if ignored:
        print(f"Note: ignoring unknown arguments: {' '.join(ignored)}", file=sys.stderr)

    params: dict[str, Any] = {}
    input_file = raw.get("input_file")
    if not input_file:
        raise InputError("--input_file is required (path of the CSV file).")
    params["input_file"] = os.path.abspath(str(input_file))

    delimiter = str(raw.get("delimiter", ","))
    if delimiter not in DELIMITERS:
        raise InputError(f"--delimiter must be one of ',', ';' or 'tab' (got {delimiter!r}).")
    params["delimiter"] = DELIMITERS[delimiter]

    fields = raw.get("fields", "") or ""
    if isinstance(fields, list):
        fields = ",".join(str(f) for f in fields)
    wanted: list[str] = []
    for name in str(fields).split(","):
        name = name.strip()
        if name and name not in wanted:
            wanted.append(name)
    params["fields"] = wanted

    params["pretty"] = _to_bool("pretty", raw.get("pretty", False))

    output_name = str(raw.get("output_name", "converted") or "converted")
    if not OUTPUT_NAME_RE.match(output_name):
        raise InputError(
            "--output_name may only contain letters, digits, '_' and '-' "
            f"(1 to 64 characters), got {output_name!r}."
        )
    params["output_name"] = output_name
    return params


def _describe(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else repr(delimiter)


def read_header(reader: Any, delimiter: str, path: str) -> list[str]:
    for row in reader:
        if not row:
            continue  # blank lines before the header
        header = [name.strip() for name in row]
        break
    else:
        raise InputError(f"{path} is empty: the first row must hold the column names.")

    for index, name in enumerate(header):
        if not name:
            header[index] = f"column_{index + 1}"
            print(
                f"Warning: column {index + 1} has no name; it is called {header[index]!r}.",
                file=sys.stderr,
                flush=True,
            )
    seen: set[str] = set()
    duplicates = sorted({name for name in header if name in seen or seen.add(name)})
    if duplicates:
        raise InputError(
            f"duplicate column names in the header: {', '.join(duplicates)}. "
            "Rename them so every column has a unique name."
        )
    if len(header) == 1:
        others = [d for d in (",", ";", "\t") if d != delimiter and d in header[0]]
        if others:
            print(
                f"Warning: only one column found with delimiter {_describe(delimiter)}; the header "
                f"contains {_describe(others[0])}, maybe that is the right delimiter.",
                file=sys.stderr,
                flush=True,
            )
    return header


def convert(params: dict[str, Any], data_dir: str) -> tuple[int, list[str], str]:
    path = params["input_file"]
    if not os.path.exists(path):
        raise InputError(f"input file not found: {path}")
    if not os.path.isfile(path):
        raise InputError(f"input path is not a file: {path}")

    csv.field_size_limit(16 * 1024 * 1024)
    out_path = os.path.join(data_dir, params["output_name"] + ".json")
    os.makedirs(data_dir, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(
        prefix=f".{params['output_name']}.", suffix=".tmp", dir=data_dir
    )
    rows = 0
    try:
        with (
            open(path, encoding="utf-8-sig", newline="") as source,
            os.fdopen(fd, "w", encoding="utf-8") as target,
        ):
            reader = csv.reader(source, delimiter=params["delimiter"], strict=True)
            try:
                header = read_header(reader, params["delimiter"], path)
                missing = [name for name in params["fields"] if name not in header]
                if missing:
                    raise InputError(
                        f"column(s) not in the file: {', '.join(missing)}. "
                        f"Available columns: {', '.join(header)}."
                    )
                keep = params["fields"] or header
                positions = [header.index(name) for name in keep]
                print(
                    f"Reading {path}: {len(header)} column(s), delimiter {_describe(params['delimiter'])}; "
                    f"keeping {len(keep)} column(s).",
                    flush=True,
                )

                target.write("[")
                for row in reader:
                    if not row:
                        continue  # blank line
                    if len(row) != len(header):
                        raise InputError(
                            f"line {reader.line_num} has {len(row)} fields but the header "
                            f"has {len(header)}. Check the delimiter and the quoting."
                        )
                    record = {name: row[pos] for name, pos in zip(keep, positions, strict=True)}
                    if params["pretty"]:
                        text = textwrap.indent(
                            json.dumps(record, ensure_ascii=False, indent=2), "  "
                        )
                    else:
                        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
                    target.write(("\n" if rows == 0 else ",\n") + text)
                    rows += 1
                    if rows % PROGRESS_EVERY == 0:
                        print(f"  {rows:,} rows converted...", flush=True)
                target.write("\n]\n" if rows else "]\n")
            except csv.Error as exc:
                raise InputError(f"malformed CSV at line {reader.line_num}: {exc}") from None
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{path} is not valid UTF-8 ({exc.reason}; the bad byte comes after "
                    f"line {reader.line_num}). Save the file as UTF-8 and try again."
                ) from None
        replaced = os.path.exists(out_path)
        os.replace(tmp_path, out_path)
    except BaseException:
        try:
            os.unlink(tmp_path)
        except OSError:
            pass
        raise
    if replaced:
        print(f"Note: replaced the existing {out_path}.", flush=True)
    return rows, keep, out_path


def main() -> int:
    sdk.raise_on_sigterm()
    params: dict[str, Any] = {}
    try:
        args = sdk.parse_args()  # the seven standard arguments; exits with status 2 when invalid
        params = read_parameters(args.params)
        rows, keep, out_path = convert(params, str(args.data_dir))
    except InputError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except PermissionError as exc:
        print(f"Error: permission denied: {exc.filename or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT if exc.filename == params.get("input_file") else EXIT_FAILURE
    except OSError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except sdk.Terminated:
        print("Terminated by SIGTERM; no output written.", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("Interrupted; no output written.", file=sys.stderr)
        return 130

    if rows == 0:
        print(
            "Warning: the file has a header but no data rows; wrote an empty array.",
            file=sys.stderr,
        )
    size = os.path.getsize(out_path)
    print(
        f"Done: {rows:,} row(s) x {len(keep)} column(s) written to {out_path} ({size:,} bytes).",
        flush=True,
    )
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
