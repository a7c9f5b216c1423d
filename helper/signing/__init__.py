"""PAdES signing engine on pyHanko: signer, appearance (seal, anchor text), batch, verification."""
