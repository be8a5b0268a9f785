"""
ScriptsManager Metadata:
@description: Keeps uploaded files and writes the same payloads into its data folder
@required_level: operator
@parameters: [
  {"name": "page", "type": "file"},
  {"name": "code", "type": "file"},
  {"name": "image", "type": "file"},
  {"name": "payloads", "type": "text"}
]
"""

import argparse
import json
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--data-dir", required=True)
parser.add_argument("--payloads", default="{}")
namespace, _rest = parser.parse_known_args()
for name, content in json.loads(namespace.payloads).items():
    (Path(namespace.data_dir) / name).write_text(content, encoding="utf-8")
    print("wrote", name, flush=True)
