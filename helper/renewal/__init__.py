"""Certificate renewal: expiry monitor, CMP client, renewal API and transactional install."""
