#!/usr/bin/python3
"""Generates the golden fixtures in test/fixtures/ with native OpenCV / scikit-image / scipy.

Run with Debian's python3 (python3-opencv, python3-skimage, python3-scipy):
    npm run fixtures                # every family
    npm run fixtures -- threshold   # one family

Each kernel family has a module scripts/fixtures/<family>.py with a `generate(out)` function;
out is a fixtures.common.Writer rooted at test/fixtures/<family>/.
"""
import importlib
import os
import pkgutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fixtures  # noqa: E402
from fixtures.common import Writer  # noqa: E402

ROOT = os.path.join(os.path.dirname(HERE), "test", "fixtures")


def main(argv):
    wanted = set(argv)
    names = [m.name for m in pkgutil.iter_modules(fixtures.__path__) if m.name != "common"]
    for name in sorted(names):
        if wanted and name not in wanted:
            continue
        module = importlib.import_module(f"fixtures.{name}")
        writer = Writer(os.path.join(ROOT, name))
        module.generate(writer)
        writer.close()
        print(f"{name}: {writer.count} cases, {writer.bytes / 1024:.0f} KiB")


if __name__ == "__main__":
    main(sys.argv[1:])
