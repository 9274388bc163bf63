"""Shared OpenAPI bits for the blueprints."""

BEARER = [{"bearerAuth": []}]
