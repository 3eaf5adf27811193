"""What the app knows and does, apart from what it shows: the open document, undo commands, solve workers, settings."""
