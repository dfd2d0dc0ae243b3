"""A small knowledge base for the engine's unit tests (the shipped data is tested apart)."""

from __future__ import annotations

import shutil
from pathlib import Path

from triage.knowledge import DATA_DIR

RED_FLAGS = """
version: 1
red_flags:
  - name: chest_pain
    label: 胸痛
    level: emergency_ambulance
    any: [胸痛, 心口*痛, 胸口*痛]
    advice: chest_pain
  - name: thunderclap_headache
    label: 突发剧烈头痛
    level: emergency
    all_of:
      - [头痛, 头*痛]
      - [最痛, 突然, 炸开]
    advice: headache
  - name: floppy_child
    label: 孩子软绵绵
    level: emergency_ambulance
    any: [软绵绵, 叫唔醒, 叫不醒]
    when: {max_age: 6}
    advice: child
  - name: breathing_difficulty  # named by the shipped modifiers.yml (oxygen)
    label: 呼吸困难
    level: emergency_ambulance
    any: [透唔到气, 喘不过气]
    advice: chest_pain
  - name: hypertensive_crisis  # named by the shipped modifiers.yml (blood_pressure)
    label: 血压极高伴不适
    level: emergency
    all_of:
      - [血压超高]
      - [头痛, 胸痛, 看不清]
    advice: headache
advice:
  chest_pain: 立即拨打120。
  headache: 马上去急诊。
  child: 立即拨打120。
"""
SYMPTOMS = """
version: 1
entries:
  - name: 头痛
    phrases: [头痛, 头疼, 头*痛]
    departments: [neurology, general_medicine]
    level: routine
  - name: 咳嗽
    phrases: [咳嗽, 咳]
    departments: [respiratory, general_medicine]
    level: routine
  - name: 牙痛
    phrases: [牙痛, 牙*痛]
    departments: [stomatology]
    level: routine
    children: keep
  - name: 月经不调
    phrases: [月经不调, 月经*乱]
    departments: [gynecology]
    level: routine
    sex: female
  - name: 腹痛
    phrases: [肚痛, 肚子*痛, 腹痛]
    departments: [gastroenterology, general_surgery]
    level: routine
  - name: 发烧
    phrases: [发烧, 发热]
    departments: [general_medicine, infectious]
    level: routine
"""
CONDITIONS = """
version: 1
entries:
  - name: 高血压
    phrases: [高血压, 血压高]
    departments: [cardiology]
    level: routine
  - name: 血压很高  # named by the shipped modifiers.yml (blood_pressure)
    phrases: [血压很高]
    departments: [cardiology, emergency]
    level: urgent
  - name: 糖化血红蛋白高
    phrases: [糖化血红蛋白]
    departments: [endocrinology]
    level: routine
  - name: 血红蛋白低
    phrases: [血红蛋白]
    departments: [hematology]
    level: routine
"""


def small_knowledge(tmp_path: Path) -> Path:
    """A data dir: the shipped departments and modifiers, small red flags and lexicon."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("departments.yml", "modifiers.yml"):
        shutil.copy(DATA_DIR / name, data / name)
    (data / "red_flags.yml").write_text(RED_FLAGS, encoding="utf-8")
    (data / "symptoms.yml").write_text(SYMPTOMS, encoding="utf-8")
    (data / "conditions.yml").write_text(CONDITIONS, encoding="utf-8")
    return data
