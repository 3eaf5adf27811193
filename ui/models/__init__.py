"""Thin Qt item models over the document's plain data; none holds a figure of its own."""
