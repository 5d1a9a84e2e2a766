"""Python's re.search for every pattern and subject on stdin: {"patterns": [...], "subjects": [...]}.

Prints one entry per pattern: null when re.compile refuses it, else whether it finds a match in each subject.
"""
import json
import re
import sys
import warnings

warnings.simplefilter("ignore")  # FutureWarning for "[[" and "&&" in sets: still valid patterns
cases = json.load(sys.stdin)
out = []
for pattern in cases["patterns"]:
    try:
        compiled = re.compile(pattern)
    except (re.error, OverflowError, RecursionError):
        out.append(None)
        continue
    out.append([compiled.search(s) is not None for s in cases["subjects"]])
json.dump(out, sys.stdout)
