"""PKCS#11 driver layer: modules, tokens, sessions, signing. Knows nothing of PDFs, portals or Qt."""
