"""Guided selling: needs, live options, good/better/best, and creating the proposal."""
