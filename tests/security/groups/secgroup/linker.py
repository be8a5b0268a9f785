"""
ScriptsManager Metadata:
@description: Plants symbolic links in its data folder (path traversal probe)
@required_level: operator
@parameters: [{"name": "links", "type": "text", "required": true}]
"""

import argparse
import json
import os
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--data-dir", required=True)
parser.add_argument("--links", required=True)
namespace, _rest = parser.parse_known_args()
for name, target in json.loads(namespace.links).items():
    link = Path(namespace.data_dir) / name
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(target, link)
    print("linked", name, "->", target, flush=True)
