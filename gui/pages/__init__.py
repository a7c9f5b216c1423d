"""One package per page: ``gui/pages/<key>/__init__.py`` exposes ``create_page(app) -> QWidget``."""
