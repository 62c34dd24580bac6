"""Operations: what the site needs to be served and watched, apart from the registry itself.

Request logging, the ``Permissions-Policy`` header, friendly answers while the database is down,
and ``/healthz`` for load balancers.
"""
