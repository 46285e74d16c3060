#!/bin/sh
# Installs the FastAPI peer's packages from Debian (bookworm): the system python3, no pip.
# `bun run bench` skips the peer, saying so, when these are missing.
set -eu
apt-get install -y --no-install-recommends \
  python3 python3-fastapi python3-uvicorn python3-sqlalchemy python3-psycopg2
