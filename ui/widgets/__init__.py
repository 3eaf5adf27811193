"""Small widgets the views share: editors, icons and layout pieces."""
