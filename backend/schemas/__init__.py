"""marshmallow schemas shared by the API and the dashboard, so both validate identically."""
