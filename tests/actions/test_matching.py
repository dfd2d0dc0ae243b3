import pytest

from actions.matching import rank_institutions
from integrations.his import Institution, InstitutionKind

INSTITUTIONS = [
    Institution(id="a", name="荔枝湾中心医院", kind=InstitutionKind.HOSPITAL),
    Institution(id="b", name="西关康宁医院", kind=InstitutionKind.HOSPITAL),
    Institution(
        id="c", name="榕荫街社区卫生服务中心", kind=InstitutionKind.COMMUNITY_HEALTH_CENTRE
    ),
]


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ("荔枝弯中心医院", "a"),  # typo
        ("荔枝湾医院", "a"),  # short name
        ("康宁", "b"),
        ("榕荫社区", "c"),
    ],
)
def test_rank_institutions(query, best):
    assert rank_institutions(query, INSTITUTIONS)[0].id == best


@pytest.mark.parametrize("query", ["医院", "社区卫生服务中心", "火星医院", ""])
def test_generic_or_unrelated_queries_match_nothing(query):
    assert rank_institutions(query, INSTITUTIONS) == []
