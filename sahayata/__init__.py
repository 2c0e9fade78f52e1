"""Sahayata: a platform for a state network of citizen service centres."""
