"""The schema files load, and a wrong schema fails at start-up with a clear message."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.errors import SchemaError
from graph.schema import SCHEMA_DIR, get_schema, load_schema


def test_schema_covers_the_domain() -> None:
    s = get_schema()
    for label in ("Street", "Community", "PartyOrg", "WorkingCommittee", "Committee",
                  "GeneralBranch", "Branch", "PartyGroup", "Workstation", "ResidentsCommittee",
                  "ResidentGroup", "JointStockCompany", "Enterprise", "IndustrialPark",
                  "StationedUnit", "Department", "SocialOrganization", "OwnersCommittee",
                  "PropertyCompany", "SocialWorkCenter", "Grid", "Building", "Person",
                  "PartyMember", "Resident", "DeployedStaff", "GridWorker", "PoliceChief",
                  "Cadre", "Volunteer", "SocialWorker", "BuildingHead", "ShopManager",
                  "PropertyStaff", "SecurityGuard", "Landlord", "Activity", "Case", "Duty"):
        assert label in s.labels, label
        assert s.labels[label].name_zh
    for t in ("SUB_ORG_OF", "PART_OF", "IN", "IN_GRID", "LEADS", "COVERS", "MEMBER_OF",
              "HOLDS_POST", "LIVES_IN", "WORKS_AT", "EMBEDDED_IN", "ALLIANCE_MEMBER",
              "FROM_DEPT", "DEPLOYED_TO", "EVALUATES", "RESPONSIBLE_FOR", "HELD", "ATTENDED",
              "MENTORS", "DO_NOT_PAIR"):
        assert t in s.relationships, t
    assert s.sensitive_properties(["PartyMember"]) == {"id_number", "phone", "birth_date",
                                                       "address", "room"}
    assert s.sensitive_properties(["Building"]) == set()  # a building's address is public
    assert s.closure(["PoliceChief"]) == ("Person", "PoliceChief", "PoliceOfficer")


#: changes a schema file's parsed YAML in place
Edit = Callable[[dict[str, Any]], object]


def _broken(tmp_path: Path, file: str, edit: Edit) -> Path:
    d = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, d)
    doc = yaml.safe_load((d / file).read_text(encoding="utf-8"))
    edit(doc)
    (d / file).write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return d


@pytest.mark.parametrize(("file", "edit", "message"), [
    ("labels.yaml", lambda d: d["labels"]["Branch"].update(extends="PartyOrganisation"),
     "labels.yaml:Branch: extends unknown label 'PartyOrganisation'"),
    ("relationships.yaml",
     lambda d: d["relationships"]["COVERS"]["allowed"][0].update(to=["ResidentGroupp"]),
     "relationships.yaml:COVERS.allowed[0].to: unknown label 'ResidentGroupp'"),
    ("labels.yaml", lambda d: d["labels"]["Grid"]["properties"]["kind"].update(type="text"),
     "labels.yaml:Grid.properties.kind: type 'text' is not one of"),
    ("labels.yaml", lambda d: d["labels"]["PartyOrg"].update(extends="Branch"),
     "'extends' forms a cycle"),
    ("labels.yaml", lambda d: d["labels"]["Street"].pop("name_zh"),
     "labels.yaml:Street: missing 'name_zh'"),
    ("relationships.yaml", lambda d: d["relationships"]["LEADS"].pop("allowed"),
     "relationships.yaml:LEADS: 'allowed' must be a non-empty list"),
])
def test_dangling_reference_fails_at_load(tmp_path: Path, file: str, edit: Edit,
                                          message: str) -> None:
    with pytest.raises(SchemaError, match=message.replace("(", r"\(").replace("[", r"\[")):
        load_schema(_broken(tmp_path, file, edit))


def test_missing_schema_file(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="schema file missing"):
        load_schema(tmp_path)
