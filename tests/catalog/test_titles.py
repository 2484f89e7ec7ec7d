"""PROD-3 title check: length in characters and bytes, the five parts, repeated words, word lists."""

import pytest

from zhanggui.catalog.models import Category, Listing, Product, Sku, TitleWord
from zhanggui.catalog.rules_titles import byte_length, check_title
from zhanggui.catalog.services import titles
from zhanggui.core.errors import DomainError
from zhanggui.core.models import Event
from zhanggui.shops.settings_store import update_settings

WORDS = {"marketing": ["新款", "2025", "包邮"], "modifier": ["韩版", "修身", "显瘦"]}


def rule(title, **kw):
    return check_title(title, marketing=WORDS["marketing"], modifiers=WORDS["modifier"], **kw)


def test_prod3_31_characters_warns_30_does_not():
    assert not rule("连" * 30, max_bytes=999).too_many_chars
    r = rule("连" * 31, max_bytes=999)
    assert r.too_many_chars and r.chars == 31 and not r.ok


def test_prod3_bytes_cjk_two_ascii_one():
    assert byte_length("2025新款") == 8
    r = rule("ABCDEFGHIJ" * 3 + "连衣裙", max_chars=99)  # 30 ASCII + 3 CJK = 36 bytes
    assert r.bytes == 36 and not r.too_many_bytes
    r = rule("新款" * 15 + "A")  # 31 chars, 61 bytes
    assert r.too_many_bytes and r.too_many_chars
    assert rule("连衣裙" * 10 + "AB").bytes == 62


def test_prod3_parts_present_and_missing():
    r = rule(
        "2025新款韩版修身碎花连衣裙红色",
        category_words=["连衣裙"],
        product_words=["碎花", "连衣裙"],
        attribute_words=["红色", "M"],
    )
    assert r.parts["marketing"] == ["新款", "2025"]
    assert r.parts["modifier"] == ["韩版", "修身"]
    assert r.parts["category"] == ["连衣裙"] and "碎花" in r.parts["product"] and r.parts["attribute"] == ["红色"]
    assert r.missing == []
    bare = rule("碎花连衣裙", category_words=["连衣裙"], product_words=["碎花"], attribute_words=["红色"])
    assert bare.missing == ["marketing", "attribute", "modifier"]


def test_prod3_short_ascii_attribute_must_be_a_whole_word():
    r = rule("新款MAX连衣裙", attribute_words=["M"])
    assert r.parts["attribute"] == []
    assert rule("新款连衣裙 M 码", attribute_words=["M"]).parts["attribute"] == ["M"]


def test_prod3_repeated_words():
    r = rule("新款连衣裙 女 夏季新款连衣裙 女")
    assert set(r.repeats) == {"新款", "连衣裙", "女"}
    assert rule("新款连衣裙").repeats == []


def test_prod3_user_words_segmented_with_jieba():
    r = rule("韩版修身显瘦")
    assert r.words == ["韩版", "修身", "显瘦"]


@pytest.fixture
def product(db):
    cat = Category.objects.create(name="连衣裙")
    product = Product.objects.create(
        style_code="T-100", name="碎花雪纺连衣裙", category=cat, attributes={"材质": "雪纺", "风格": ["甜美"]}
    )
    Sku.objects.create(product=product, code="T-100-RED-M", colour="红色", size="M")
    return product


def test_prod3_seed_words_once_and_edits_kept(db):
    assert TitleWord.objects.filter(kind="marketing", word="新款").exists()  # seeded on migrate
    assert TitleWord.objects.filter(kind="modifier", word="韩版").exists()
    TitleWord.objects.filter(word="清仓").delete()
    TitleWord.objects.create(kind="marketing", word="自家词")
    assert titles.seed_title_words() == 0
    assert not TitleWord.objects.filter(word="清仓").exists()
    assert TitleWord.objects.filter(word="自家词").exists()
    TitleWord.objects.all().delete()
    assert titles.seed_title_words() > 10


def test_prod3_check_uses_product_words_and_shop_limit(world, product):
    r = titles.check("2025新款韩版修身碎花雪纺连衣裙红色", product=product, shop=world.shop_a)
    assert r.missing == [] and "雪纺" in r.parts["attribute"] and "红色" in r.parts["attribute"]
    update_settings(world.people["manager"], world.shop_a, {"catalog.title_max_chars": 12})
    r = titles.check("2025新款韩版修身碎花雪纺连衣裙红色", product=product, shop=world.shop_a)
    assert r.too_many_chars and r.max_chars == 12
    assert "超过 12 个字" in titles.reasons(r)[0]


def test_prod3_batch_lists_only_bad_titles_with_reasons(world, product, django_assert_max_num_queries):
    other = Product.objects.create(style_code="T-101", name="纯棉T恤", category=product.category)
    good = Listing.objects.create(
        shop=world.shop_a, product=product, title="2025新款韩版修身碎花雪纺连衣裙红色", price_fen=100
    )
    bad = Listing.objects.create(shop=world.shop_a, product=other, title="纯棉T恤纯棉T恤", price_fen=100)
    with django_assert_max_num_queries(8):
        issues = titles.title_issues([world.shop_a])
    assert [i[0] for i in issues] == [bad]
    assert any("重复词" in r for r in issues[0][2]) and any("缺少" in r for r in issues[0][2])
    assert good not in [i[0] for i in issues]


def test_prod3_word_list_edits_on_the_timeline(world):
    editor = world.people["editor"]
    word = titles.add_title_word(editor, "modifier", "  通勤风 ")
    assert word.word == "通勤风"
    with pytest.raises(DomainError) as err:
        titles.add_title_word(editor, "modifier", "通勤风")
    assert err.value.field == "word"
    with pytest.raises(DomainError):
        titles.add_title_word(editor, "other", "x")
    titles.delete_title_word(editor, word)
    assert Event.objects.filter(kind="deleted", actor_number=editor.number).exists()
