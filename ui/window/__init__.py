"""The main window's parts that are not views: files and export."""
