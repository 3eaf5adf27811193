"""FairShare's desktop app (PySide6). Imports allocator; allocator never imports it."""
