"""Normalise a `pg_dump --schema-only` file so two databases' schemas can be diffed.

Sorts the columns inside each CREATE TABLE (regenerated migrations create columns in
model order where old ones appended them with AddField), sorts the dump's entries by
name, blanks pg_dump's \\restrict token, and applies renames given as old=new arguments.

    python scripts/schema_normalize.py old.sql > old.norm
    python scripts/schema_normalize.py new.sql a_name=b_name > new.norm
    diff old.norm new.norm
"""

import re
import sys
from pathlib import Path


def normalise(text: str, renames: list[str]) -> str:
    for pair in renames:
        old, new = pair.split("=")
        text = re.sub(rf"\b{old}\b", new, text)
    text = re.sub(r"^\\(un)?restrict .*$", r"\\restrict TOKEN", text, flags=re.MULTILINE)
    out: list[str] = []
    block: list[str] | None = None
    for line in text.splitlines():
        if block is not None:
            if line.startswith(")"):
                columns = sorted(column.rstrip(",") for column in block)
                out += [c + "," for c in columns[:-1]] + columns[-1:] + [line]
                block = None
            else:
                block.append(line)
            continue
        out.append(line)
        if line.startswith("CREATE TABLE ") and line.endswith("("):
            block = []
    head, *entries = "\n".join(out).split("\n--\n-- Name: ")
    return "\n".join([head, *sorted(entries)])


if __name__ == "__main__":
    sys.stdout.write(normalise(Path(sys.argv[1]).read_text(), sys.argv[2:]) + "\n")
