"""Virtual patients and the harness that drives them through the real service.

Not part of the model: ``ml/`` trains and serves it, ``backend/`` runs the service, and this
package may import both while neither imports it (import-linter checks). The service reaches
the simulated population prior only through its ``POPULATION_PRIOR`` setting.
"""
