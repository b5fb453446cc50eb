#!/usr/bin/env python3
"""Copies the compiled examples of ReadmeExamplesTest into README.md's snippet blocks.

ReadmeSnippetsTest fails when the two differ; run this after changing an example."""
import pathlib
import re
import textwrap

root = pathlib.Path(__file__).resolve().parent.parent
source = (root / "pool-core/src/test/java/io/github/connectionpool/examples/ReadmeExamplesTest.java").read_text()
regions = {
    name: textwrap.dedent(body).strip("\n") + "\n"
    for name, body in re.findall(r"// snippet: ([a-z-]+)\n(.*?)\n\s*// end snippet", source, re.S)
}
readme_path = root / "README.md"
readme = readme_path.read_text()


def fill(match):
    name = match.group(1)
    if name not in regions:
        raise SystemExit(f"README snippet '{name}' has no region in ReadmeExamplesTest")
    return f"<!-- snippet: {name} -->\n```java\n{regions[name]}```"


readme_path.write_text(re.sub(r"<!-- snippet: ([a-z-]+) -->\s*```java\n.*?```", fill, readme, flags=re.S))
