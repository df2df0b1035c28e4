"""The diagnosis corpus: small failing and healthy regression setups, each labelled with the codes
a diagnosis must report (`expect`) and codes that are acceptable side findings (`allow`)."""
