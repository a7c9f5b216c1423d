"""Site login: the local web service on 127.0.0.1, Web eID-style login tokens and their verification."""
