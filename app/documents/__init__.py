"""Rendering: component documents as HTML now; proposals and delivery packs as PDF later."""
