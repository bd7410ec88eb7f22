"""The store's DynamoDB client under each botocore the Lambda runtime may give the
functions (``tests/botocore-versions.txt``, installed by ``make test``) and under the
virtualenv's own: its data loader finds what botocore's own finds, the client goes
where botocore's own would go in every partition, FIPS and dual-stack included, an
assumed-role profile still reaches STS from the same session, and the saving is
still made. ``tests/botocore_check.py`` does the work in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.botocore_check import ASSUMED_KEY, REGIONS, VARIANTS
from tests.helpers import ROOT

VERSIONS_FILE = ROOT / "tests" / "botocore-versions.txt"
VERSIONS = [v for line in VERSIONS_FILE.read_text().splitlines() if (v := line.partition("#")[0].strip())]
VIRTUALENV = "virtualenv"


def installed(version: str) -> Path:
    folder = ROOT / "build" / f"botocore-{version}"
    if not (folder / ".installed").exists():
        pytest.fail(f"botocore {version} is not in {folder}: run `make test` (or `make {folder}/.installed`)")
    return folder


@pytest.fixture(scope="module", params=[*VERSIONS, VIRTUALENV])
def report(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The check's report under one botocore."""
    path = [] if request.param == VIRTUALENV else [str(installed(request.param))]
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env |= {
        "PYTHONPATH": os.pathsep.join([*path, str(ROOT / "src")]),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "botocore_check.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    found["asked"] = request.param
    return found


def test_the_check_ran_under_that_botocore(report: dict[str, Any]) -> None:
    if report["asked"] == VIRTUALENV:
        assert Path(report["botocore"]).is_relative_to(Path(sys.prefix))
    else:
        assert report["version"] == report["asked"]
        assert Path(report["botocore"]).is_relative_to(ROOT / "build" / f"botocore-{report['asked']}")


def test_the_loader_overrides_the_method_botocore_calls_with_its_signature(report: dict[str, Any]) -> None:
    # A botocore that renamed or reshaped it would silently make the override dead code.
    assert report["overridden"]["parameters"] == report["ours"]["parameters"] == ["self", "type_name"]
    assert report["overridden"]["called by load_service_model"]


@pytest.mark.parametrize("what", ["models", "services", "endpoints", "sts endpoints", "assumed role"])
def test_the_client_is_botocores_own(report: dict[str, Any], what: str) -> None:
    assert report["ours"][what] == report["stock"][what]


def test_the_endpoint_data_is_botocores_own_file_in_plain_dicts(report: dict[str, Any]) -> None:
    # The same file, content and order, builtin as botocore's own is: every service of
    # the session (DynamoDB, STS) resolves from it exactly as before.
    ours, stock = report["ours"]["endpoint data"], report["stock"]["endpoint data"]
    assert {**ours, "type": None} == {**stock, "type": None}
    assert ours["builtin"] and ours["path"].startswith(report["botocore"])
    # And the saving is made: parsed without object_pairs_hook=OrderedDict, by the
    # file loader botocore's Loader makes from FILE_LOADER_CLASS.
    assert (ours["type"], stock["type"]) == ("dict", "OrderedDict")
    assert report["overridden"]["file loader made from FILE_LOADER_CLASS"]
    assert report["overridden"]["endpoints loaded by name"]


def test_the_client_is_made_without_listing_every_service(report: dict[str, Any]) -> None:
    assert report["ours"]["listings"] == 0
    assert report["stock"]["listings"] > 0  # the count sees botocore's own listing


def test_every_partition_and_variant_resolves_to_its_own_endpoint(report: dict[str, Any]) -> None:
    endpoints = report["ours"]["endpoints"]
    for region in REGIONS:
        for variant in VARIANTS:
            found = endpoints[f"{region} {variant}"]
            url = found["url"]
            assert found["region"] == region and found["signed for"] == f"{region}/dynamodb"
            assert region in url
            assert url.endswith(".cn/") == region.startswith("cn-")
            assert ("-fips." in url) == ("fips" in variant) or region.startswith("us-gov-")
            assert any(dual in url for dual in (".api.aws", ".api.amazonwebservices")) == (
                "dualstack" in variant
            )


def test_an_assumed_role_is_assumed_through_sts_from_the_same_session(report: dict[str, Any]) -> None:
    assert report["ours"]["assumed role"]["key"] == ASSUMED_KEY
