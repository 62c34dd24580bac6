"""The JSON API under /api/v1/: DRF views, serializers, URLs and policy, in one schema (no models).

The records and every rule are the domain's (`agreements`); this app only reads and writes them
through the domain's selectors, services and FilterSets.
"""
