"""The bundled ``fairshare`` executable: the same command as the installed one."""

import sys

from allocator.cli import main

if __name__ == "__main__":
    sys.exit(main())
