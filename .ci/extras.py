"""Print the requirements of an optional-dependency group of pyproject.toml ('base' = runtime).

Used by the Makefile so that pyproject.toml stays the one list of dependencies.
"""

import ast
import re
import sys

text = open("pyproject.toml", encoding="utf-8").read()
try:
    import tomllib

    project = tomllib.loads(text)["project"]
    deps = list(project["dependencies"])
    extras = project["optional-dependencies"]
except ModuleNotFoundError:  # Python 3.10: read the two simple arrays we need by hand
    def array(name: str) -> list:
        m = re.search(rf"^{name}\s*=\s*(\[.*?\])", text, re.S | re.M)
        return ast.literal_eval(m.group(1)) if m else []

    deps = array("dependencies")
    extras = {g: array(g) for g in ("plot", "dask", "test", "bench")}
group = sys.argv[1]
reqs = deps + ([] if group == "base" else extras[group])
print(" ".join(r.replace(" ", "") for r in reqs))
