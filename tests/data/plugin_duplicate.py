"""A module registering a rule whose code collides with a built-in one (used by the plugin test)."""

from corslint.findings import Severity
from corslint.rule import Rule


class Collides(Rule):
    code = "CORS101"
    name = "acme-collides"
    summary = "Collides with a built-in code."
    severity = Severity.INFO
