#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "move.settings")
    # With no configuration at all (no MOVE_DEBUG, no DATABASE_URL) the command line is
    # the demo's, on its SQLite file. A configured server says MOVE_DEBUG=false itself,
    # and a DATABASE_URL without MOVE_DEBUG never falls back to demo mode.
    if "MOVE_DEBUG" not in os.environ and not os.environ.get("DATABASE_URL"):
        os.environ["MOVE_DEBUG"] = "true"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
