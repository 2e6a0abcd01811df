"""Reads the SPF council's YAML test suite and writes it as JSON (a list of scenarios,
each {description, tests, zonedata}), so the Swift tests need no YAML parser.

usage: spf_suite_to_json.py SUITE.yml OUT.json
"""
import json
import sys

import yaml

with open(sys.argv[1], 'rb') as source:
    scenarios = list(yaml.safe_load_all(source))
with open(sys.argv[2], 'w') as out:
    json.dump(scenarios, out)
