"""The baseline for bench_today: a bare Flask JSON endpoint served the same way."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/bare")
def bare():
    return jsonify({"ok": True})
