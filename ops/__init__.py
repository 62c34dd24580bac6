"""Operations: what the site needs to be served and watched, apart from the registry itself.

Request logging, the ``Permissions-Policy`` header, friendly answers while the database is down,
``/healthz`` for load balancers and ``/ping`` (`probe`), and whole-page caching under the data
version (`caching`). No models: it uses the domain (`agreements`), never the reverse.
"""
