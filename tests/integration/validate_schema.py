#!/usr/bin/env python3
"""Validate smtpdoctor JSON output against a JSON Schema.

    validate_schema.py SCHEMA FILE...     each FILE holds one JSON document
    validate_schema.py SCHEMA -           one JSON document on stdin
    some-command | validate_schema.py SCHEMA

Exit status: 0 every document is valid, 1 one is not (each error is printed with the path of
the offending field), 2 bad usage or unreadable input, 77 the python3-jsonschema package is
missing (ctest reports the test as skipped; .ci/install-deps installs it).
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("validate_schema.py: python3-jsonschema is not installed (apt-get install python3-jsonschema)",
          file=sys.stderr)
    sys.exit(77)


def shorten(message, limit=200):
    # jsonschema quotes the whole offending value; a report is too big to repeat.
    return message if len(message) <= limit else message[:limit] + "…"


def load(path):
    if path == "-":
        return json.load(sys.stdin), "<stdin>"
    with open(path, encoding="utf-8") as f:
        return json.load(f), path


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        schema, _ = load(argv[1])
    except (OSError, ValueError) as e:
        print(f"validate_schema.py: cannot read schema {argv[1]}: {e}", file=sys.stderr)
        return 2
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    failed = False
    for path in argv[2:] or ["-"]:
        try:
            document, name = load(path)
        except (OSError, ValueError) as e:
            print(f"{path}: not readable as JSON: {e}", file=sys.stderr)
            return 2
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        if not errors:
            print(f"{name}: valid")
            continue
        failed = True
        for error in errors:
            where = "/".join(str(p) for p in error.absolute_path) or "(document)"
            print(f"{name}: {where}: {shorten(error.message)}", file=sys.stderr)
            # oneOf failures hide the real reason one level down; show the closest branch.
            best = jsonschema.exceptions.best_match(error.context or [])
            if best is not None:
                inner = "/".join(str(p) for p in best.absolute_path) or "(document)"
                print(f"{name}:   closest: {inner}: {shorten(best.message)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
