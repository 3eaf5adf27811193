"""FairShare's engine: fair, explained budget splits for charity partnerships.

Pure Python; never imports Qt.
"""

__version__ = "0.1.0"
