#!/usr/bin/python3
"""Checks docs/raswarden.schema.json against the documented examples.

(a) the schema is a valid JSON Schema draft 2020-12 document;
(b) every docs/examples/*.json, and every complete configuration shown in docs/configuration.md,
    validates against it;
(c) documents RasWarden rejects are rejected by the schema too;
(d) every object the schema describes has "additionalProperties": false, as RasWarden treats
    unknown keys as errors.

That the examples also pass RasWarden's own parser is checked by tests/core/config_examples_test.cpp.
Uses Debian's python3-jsonschema: run with /usr/bin/python3.
"""

import copy
import json
import re
import unittest
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "docs" / "raswarden.schema.json"
EXAMPLES_DIR = ROOT / "docs" / "examples"
REFERENCE_PATH = ROOT / "docs" / "configuration.md"


def load_schema():
    with SCHEMA_PATH.open(encoding="utf-8") as f:
        return json.load(f)


def rule(**fields):
    value = {"name": "r", "action": "accept"}
    value.update(fields)
    return value


def with_rule(r):
    return {"schema": 1, "policy": {"rules": [r]}}


# Each is something parse_settings reports as a problem; the schema must refuse it as well.
INVALID = {
    "unknown key in match": with_rule(rule(match={"user": ["alice"]})),
    "unknown key in rule": with_rule(rule(comment="x")),
    "unknown top-level key": {"schema": 1, "acounting": {}},
    "$schema key in the file": {"$schema": "urn:raswarden:configuration:schema:1"},
    "bad hours: one-digit hour": with_rule(rule(match={"hours": ["8:00-17:00"]})),
    "bad hours: 25 o'clock": with_rule(rule(match={"hours": ["08:00-25:00"]})),
    "bad hours: 24:30": with_rule(rule(match={"hours": ["08:00-24:30"]})),
    "bad hours: starts at 24:00": with_rule(rule(match={"hours": ["24:00-01:00"]})),
    "bad hours: minutes 60": with_rule(rule(match={"hours": ["08:60-09:00"]})),
    "bad hours: empty window": with_rule(rule(match={"hours": ["08:00-08:00"]})),
    "bad hours: no end": with_rule(rule(match={"hours": ["08:00"]})),
    "bad hours: not a list": with_rule(rule(match={"hours": "08:00-17:00"})),
    "bad action": with_rule(rule(action="deny")),
    "missing action": with_rule({"name": "r"}),
    "missing rule name": with_rule({"action": "accept"}),
    "empty rule name": with_rule(rule(name="")),
    "bad tunnel": with_rule(rule(match={"tunnels": ["openvpn"]})),
    "bad interface type": with_rule(rule(match={"interface_types": ["router"]})),
    "bad day": with_rule(rule(match={"days": ["monday"]})),
    "bad time zone": with_rule(rule(match={"time_zone": "Europe/Berlin"})),
    "empty user glob": with_rule(rule(match={"users": [""]})),
    "bad remote endpoint": with_rule(rule(match={"remote_endpoints": ["10.0.0.0/33"]})),
    "rule limit too large": with_rule(rule(max_sessions_per_user=1000001)),
    "schema 2": {"schema": 2},
    "rotate_mb 0": {"accounting": {"rotate_mb": 0}},
    "flush_interval_ms 5": {"accounting": {"flush_interval_ms": 5}},
    "negative retention": {"accounting": {"retention_days": -1}},
    "retention as text": {"accounting": {"retention_days": "365"}},
    "empty directory": {"accounting": {"directory": ""}},
    "bad on_failure": {"accounting": {"on_failure": "drop"}},
    "forwarding without host": {"accounting": {"forward": {"enabled": True}}},
    "empty forward host": {"accounting": {"forward": {"host": ""}}},
    "bad transport": {"accounting": {"forward": {"host": "h", "transport": "tls"}}},
    "port 0": {"accounting": {"forward": {"host": "h", "port": 0}}},
    "rejections as text": {"event_log": {"rejections": "yes"}},
    "bad policy mode": {"policy": {"mode": "warn"}},
    "bad reauthentication": {"policy": {"reauthentication": "ask"}},
    "bad on_error": {"policy": {"on_error": "ignore"}},
    "links limit too large": {"policy": {"max_links_per_connection": 1001}},
    "rules not a list": {"policy": {"rules": {}}},
    "pool without name": {"ip_assignment": {"pools": [{"range": "10.0.0.0/24"}]}},
    "pool without addresses": {"ip_assignment": {"pools": [{"name": "p"}]}},
    "pool with first only": {"ip_assignment": {"pools": [{"name": "p", "first": "10.0.0.1"}]}},
    "pool range too small": {"ip_assignment": {"pools": [{"name": "p", "range": "10.0.0.0/31"}]}},
    "pool range IPv6": {"ip_assignment": {"pools": [{"name": "p", "range": "2001:db8::/64"}]}},
    "pool address with leading zero": {
        "ip_assignment": {"pools": [{"name": "p", "first": "10.0.0.01", "last": "10.0.0.9"}]}
    },
    "static IPv6 address": {"ip_assignment": {"static": {"alice": "2001:db8::1"}}},
    "static not an address": {"ip_assignment": {"static": {"alice": "10.0.0.256"}}},
    "interface id of three groups": {"ip_assignment": {"ipv6_interface_ids": {"first": "0:0:1", "last": "0:0:0:2"}}},
    "interface id zero": {"ip_assignment": {"ipv6_interface_ids": {"first": "0:0:0:0", "last": "0:0:0:2"}}},
    "interface id group too long": {
        "ip_assignment": {"ipv6_interface_ids": {"first": "0:0:0:1", "last": "0:0:0:10000"}}
    },
    "interface ids without last": {"ip_assignment": {"ipv6_interface_ids": {"first": "0:0:0:1"}}},
    "unknown key in pool": {"ip_assignment": {"pools": [{"name": "p", "range": "10.0.0.0/24", "gateway": "x"}]}},
    "domain aliases not an object": {"policy": {"domain_aliases": ["corp.example", "CORP"]}},
    "domain alias to a number": {"policy": {"domain_aliases": {"corp.example": 5}}},
    "domain alias to an empty name": {"policy": {"domain_aliases": {"corp.example": ""}}},
    "domain alias from an empty suffix": {"policy": {"domain_aliases": {"": "CORP"}}},
    "domain alias suffix with a backslash": {"policy": {"domain_aliases": {"corp\\example": "CORP"}}},
    "domain alias to a name with @": {"policy": {"domain_aliases": {"corp.example": "a@b"}}},
    "domain alias with a glob": {"policy": {"domain_aliases": {"*.example": "CORP"}}},
    "domain alias with a space": {"policy": {"domain_aliases": {"corp.example": "CO RP"}}},
}

# Edge cases RasWarden accepts; the schema must not be stricter.
VALID = {
    "empty object": {},
    "window across midnight": with_rule(rule(match={"hours": ["22:00-02:00"]})),
    "whole day": with_rule(rule(match={"hours": ["00:00-24:00"]})),
    "window to midnight": with_rule(rule(match={"hours": ["18:00-24:00"]})),
    "window from midnight": with_rule(rule(match={"hours": ["00:00-06:00"]})),
    "empty lists match anything": with_rule(rule(match={"users": [], "days": [], "hours": []})),
    "rule without match": with_rule(rule(action="reject")),
    "IPv6 endpoints": with_rule(rule(match={"remote_endpoints": ["2001:db8::/32", "::ffff:10.0.0.1", "10.1.2.3"]})),
    "forwarding with host": {"accounting": {"forward": {"enabled": True, "host": "10.0.0.5", "transport": "udp"}}},
    "forwarding off without host": {"accounting": {"forward": {"enabled": False}}},
    "zero limits mean unlimited": {"policy": {"max_sessions_per_user": 0, "max_sessions_total": 0}},
    "upper-case interface ids": {"ip_assignment": {"ipv6_interface_ids": {"first": "0:0:0:A", "last": "FFFF:0:0:B"}}},
    "static addresses by user": {
        "ip_assignment": {"static": {"CONTOSO\\alice": "10.20.0.10", "bob": "10.20.9.5", "carol@contoso.example": "10.0.0.1"}}
    },
    "pool by first and last": {"ip_assignment": {"pools": [{"name": "p", "first": "10.0.0.5", "last": "10.0.0.9"}]}},
    "domain aliases": {"policy": {"domain_aliases": {"corp.example": "CORP", "Corp.Com": "corp", "lab": "LAB-2"}}},
    "no domain aliases": {"policy": {"domain_aliases": {}}},
}


class SchemaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.schema = load_schema()
        cls.validator = jsonschema.Draft202012Validator(cls.schema)

    def errors(self, document):
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in self.validator.iter_errors(document)]

    # (a)
    def test_schema_is_valid_draft_2020_12(self):
        self.assertEqual(self.schema.get("$schema"), "https://json-schema.org/draft/2020-12/schema")
        self.assertTrue(self.schema.get("$id"))
        self.assertTrue(self.schema.get("title"))
        jsonschema.Draft202012Validator.check_schema(self.schema)

    # (b)
    def test_examples_validate(self):
        examples = sorted(EXAMPLES_DIR.glob("*.json"))
        self.assertGreaterEqual(len(examples), 3, f"expected the documented examples in {EXAMPLES_DIR}")
        for path in examples:
            with self.subTest(example=path.name):
                with path.open(encoding="utf-8") as f:
                    document = json.load(f)
                self.assertEqual(self.errors(document), [])

    def test_configurations_in_the_reference_validate(self):
        text = REFERENCE_PATH.read_text(encoding="utf-8")
        blocks = re.findall(r"```json\n(.*?)```", text, flags=re.S)
        complete = 0
        for index, block in enumerate(blocks):
            try:
                document = json.loads(block)
            except json.JSONDecodeError:
                continue  # a fragment, not a whole file
            if not isinstance(document, dict) or document.get("schema") != 1:
                continue
            complete += 1
            with self.subTest(block=index):
                self.assertEqual(self.errors(document), [])
        self.assertGreaterEqual(complete, 2, "docs/configuration.md should show complete example configurations")

    def test_examples_in_the_reference_are_the_files(self):
        # The reference shows the example files verbatim, so that they cannot drift apart.
        text = REFERENCE_PATH.read_text(encoding="utf-8")
        for path in sorted(EXAMPLES_DIR.glob("*.json")):
            with self.subTest(example=path.name):
                self.assertIn(path.read_text(encoding="utf-8"), text)

    def test_defaults_validate(self):
        # The "default" annotations, put together, form a valid file.
        def defaults(node):
            if not isinstance(node, dict):
                return None
            if "default" in node and "properties" not in node:
                return copy.deepcopy(node["default"])
            if "properties" in node:
                out = {}
                for key, child in node["properties"].items():
                    value = defaults(child)
                    if value is not None:
                        out[key] = value
                return out if out or "default" in node else None
            return None

        document = defaults(self.schema)
        self.assertIn("accounting", document)
        self.assertEqual(self.errors(document), [])

    # (c)
    def test_invalid_documents_are_rejected(self):
        for name, document in INVALID.items():
            with self.subTest(case=name):
                self.assertNotEqual(self.errors(document), [], f"the schema accepts {json.dumps(document)}")

    def test_valid_edge_cases_are_accepted(self):
        for name, document in VALID.items():
            with self.subTest(case=name):
                self.assertEqual(self.errors(document), [])

    # (d)
    def test_every_object_forbids_unknown_keys(self):
        checked = []

        def walk(node, pointer, is_condition=False):
            if isinstance(node, dict):
                declares_object = node.get("type") == "object"
                if declares_object:
                    checked.append(pointer)
                    self.assertIs(node.get("additionalProperties"), False, f"{pointer} allows unknown keys")
                if ("properties" in node or "patternProperties" in node) and not is_condition:
                    self.assertTrue(declares_object, f"{pointer} lists properties but does not say it is an object")
                for key, child in node.items():
                    if key in ("default", "examples", "const", "enum"):
                        continue  # values, not schemas
                    if key in ("properties", "patternProperties", "$defs"):
                        for name, sub in child.items():
                            walk(sub, f"{pointer}/{key}/{name}")
                    else:
                        # "if" only tests a condition; it never admits a document by itself.
                        walk(child, f"{pointer}/{key}", is_condition=key == "if")
            elif isinstance(node, list):
                for index, child in enumerate(node):
                    walk(child, f"{pointer}/{index}", is_condition)

        walk(self.schema, "#")
        # root, accounting, forward, event_log, policy, ip_assignment, static, ipv6_interface_ids,
        # match, rule, pool
        self.assertGreaterEqual(len(checked), 11, checked)


if __name__ == "__main__":
    unittest.main(verbosity=2)
