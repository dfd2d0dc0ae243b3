"""The sensitive-report policy and the glossary: admin-editable data files, loaded and checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_samples import at, summary

from actions.reports.glossary import GLOSSARY_FILE, load_glossary
from actions.reports.sensitivity import DEFAULT_FILE, load_policy
from common import fhir_contract

POLICY = load_policy(DEFAULT_FILE)


def test_sensitive_by_code_label_or_result_code() -> None:
    assert POLICY.is_sensitive(summary("r", "HIV", "HIV抗体检测", effective=at(11, 1)))
    assert POLICY.is_sensitive(summary("r", "hcg", "血HCG", effective=at(11, 1)))
    labelled = summary("r", "XYZ", "某检查", effective=at(11, 1), security_labels=("PSY",))
    assert POLICY.is_sensitive(labelled)
    # A label no list here names (substance use disorder) is sensitive all the same.
    unlisted = summary("r", "XYZ", "某检查", effective=at(11, 1), security_labels=("SUD",))
    assert POLICY.is_sensitive(unlisted)
    plain = summary("r", "CBC", "血常规", effective=at(11, 1))
    assert not POLICY.is_sensitive(plain)
    assert POLICY.is_sensitive(plain, ["WBC", "B-HCG"])
    assert "荔湾区中心医院" in POLICY.advice("荔湾区中心医院")
    assert "开单医院" in POLICY.advice(None)


def test_a_broken_policy_file_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "sensitive.yml"
    broken.write_text("test_codes: HIV\n", encoding="utf-8")
    with pytest.raises(ValueError, match="list"):
        load_policy(broken)


def test_the_glossary_covers_every_test_of_the_contract_in_one_short_line() -> None:
    glossary = load_glossary(GLOSSARY_FILE)
    codes = [
        *("CBC", "LFT", "RFT", "LIPID", "GLYCEMIA", "ELEC", "URINE", "CRP", "HCG", "HIV"),
        *("XR-CHEST", "US-ABDOMEN", "CT-HEAD", "WBC", "NEUT%", "LYMPH%", "RBC", "HGB", "HCT"),
        *("MCV", "PLT", "ALT", "AST", "TBIL", "DBIL", "TP", "ALB", "GGT", "ALP", "CREA"),
        *("UREA", "URIC", "EGFR", "TC", "TG", "HDL-C", "LDL-C", "GLU", "HBA1C", "K", "NA"),
        *("CL", "U-PRO", "U-GLU", "U-LEU", "U-BLD", "U-KET", "U-SG", "U-PH", "B-HCG", "HIV-AB"),
    ]
    for code in codes:
        meaning = glossary.meaning(code)
        assert meaning, code
        assert len(meaning) <= 35, (code, meaning)
        # Printed under the resident's own value: never what a high or low value means.
        assert not any(word in meaning for word in ("升高", "降低", "偏高", "偏低", "见于")), code
    assert fhir_contract.TEST_CODE  # the glossary is keyed by that dictionary's codes


def test_named_tests_are_found_longest_name_first() -> None:
    glossary = load_glossary(GLOSSARY_FILE)
    assert glossary.codes_named_in("我的糖化血红蛋白高不高") == ["HBA1C"]
    assert "CBC" in glossary.codes_named_in("血常规出来了吗")
    assert glossary.codes_named_in("查报告") == []
