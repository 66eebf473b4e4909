"""Renderers of the result model: each turns requirement results into one report format."""
