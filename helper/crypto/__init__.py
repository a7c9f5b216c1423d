"""National (国密) and other cryptography the PKCS#11 layer and pyca/cryptography do not provide."""
