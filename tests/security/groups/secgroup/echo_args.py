"""
ScriptsManager Metadata:
@description: Prints the arguments it received, as JSON (argument injection probe)
@required_level: viewer
@parameters: [
  {"name": "text", "type": "string"},
  {"name": "other", "type": "string"},
  {"name": "where", "type": "path"}
]
"""

import argparse
import json
import sys

parser = argparse.ArgumentParser()
for option in ("--data-dir", "--user-level", "--port", "--project-id", "--project-name"):
    parser.add_argument(option, required=True)
parser.add_argument("--theme", required=True)
parser.add_argument("--language", required=True)
parser.add_argument("--text")
parser.add_argument("--other")
parser.add_argument("--where")
namespace = parser.parse_args()
print("ARGS " + json.dumps({"namespace": vars(namespace), "argv": sys.argv[1:]}), flush=True)
