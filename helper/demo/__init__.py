"""Demo PKI, demo USB key (SoftHSM) and demo portals, used by ./dev demo and the tests."""
