"""The API as a client sees it: the OpenAPI document, and a client generated from it."""
