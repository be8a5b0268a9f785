"""
ScriptsManager Metadata:
@description: A plain Flask interface that checks the manager's token (proxy probe)
@required_level: operator
@interface: true
"""

import os
import sys

from flask import Flask, Response, jsonify, request

port = int(sys.argv[sys.argv.index("--port") + 1])
token = os.environ["SCRIPTSMANAGER_INTERFACE_TOKEN"]
app = Flask(__name__)


@app.before_request
def check_token():
    if request.headers.get("X-ScriptsManager-Token") != token:
        return Response("token required", status=403)


@app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
@app.route("/<path:path>", methods=["GET", "POST"])
def echo(path):
    return jsonify(path=path, full_path=request.full_path, host=request.host, marker="IFACE-OK")


print("interface on", port, flush=True)
app.run(host="127.0.0.1", port=port, debug=False, threaded=True)
