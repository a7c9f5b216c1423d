"""cahelper domain services: certificates, PINs, signing, login, renewal, diagnostics.

Imports tokenio; never imports Qt.
"""

__version__ = "0.1.0"
