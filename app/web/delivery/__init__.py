"""Delivery centres: a centre's work packages, each with the delivery description of the
version sold and its delivery pack, and the centre's load against its capacity."""
