"""The registry's pages: views, charts, template tags, the language switcher, link previews and
citations (no models).

Every figure comes from the domain (`agreements`: selectors, the counting engine, the exports);
this app binds the request to a form or FilterSet, calls the domain and renders.
"""
