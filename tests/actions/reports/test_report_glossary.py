"""The glossary: an admin-editable data file, loaded and checked."""

from __future__ import annotations

from actions.reports.glossary import GLOSSARY_FILE, load_glossary
from common import fhir_contract


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
