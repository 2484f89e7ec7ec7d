# ruff: noqa: E501, RUF005
"""Builders of realistic marketplace export files (bytes) — ONE generator for the tests, the benchmark
(bench/orders_import.py) and the demo (orders/demo.py), which imports them the way a shop would (ORD-1).

Columns follow platform-formats.md §1 exactly, with the quirks the readers must survive: GBK encoding, `="…"`
formula cells and `=""` empties, `'` before phones, trailing spaces in headers, a trailing comma on 宝贝报表 rows,
tab-padded JD cells, one JD row per SKU line, XLSX variants. Orders are plain dicts; every key has a default.

    order = {"no": "35153131473293579", "status": "买家已付款，等待卖家发货", "paid": "201.12",
             "lines": [{"code": "D-黑-S", "title": "连衣裙", "price": "201.12", "qty": 1, "props": "颜色分类：黑色;尺码：S"}]}
"""

from __future__ import annotations

import io

TAOBAO_2017 = [
    "订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "买家支付积分", "总金额", "返点积分",
    "买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言", "收货人姓名", "收货地址 ", "运送方式", "联系电话 ",
    "联系手机", "订单创建时间", "订单付款时间 ", "宝贝标题 ", "宝贝种类 ", "物流单号 ", "物流公司", "订单备注",
    "宝贝总数量", "店铺Id", "店铺名称", "订单关闭原因", "卖家服务费", "买家服务费", "发票抬头", "是否手机订单",
    "分阶段订单信息", "特权订金订单id", "是否上传合同照片", "是否上传小票", "是否代付", "定金排名", "修改后的sku",
    "修改后的收货地址", "异常信息", "天猫卡券抵扣", "集分宝抵扣", "是否是O2O交易", "退款金额", "预约门店",
]  # fmt: skip
TAOBAO_2020 = (
    TAOBAO_2017[:3]
    + ["支付单号", "支付详情"]
    + TAOBAO_2017[3:]
    + ["新零售交易类型", "新零售导购门店id", "新零售导购门店名称", "新零售发货门店id", "新零售发货门店名称",
       "确认收货时间", "打款商家金额", "含应开票给个人的个人红包", "是否信用购", "配送类型", "主订单编号"]
)  # fmt: skip
TAOBAO_LITE = ["订单编号", "买家实际支付金额", "收货地址 ", "订单创建时间", "订单付款时间 ", "退款金额"]
TAOBAO_DETAIL = [
    "订单编号",
    "标题",
    "价格",
    "购买数量",
    "外部系统编号",
    "商品属性",
    "套餐信息",
    "备注",
    "订单状态",
    "商家编码",
]
JD_2016 = [
    "订单号", "商品ID", "商品名称", "订购数量", "支付方式", "下单时间", "京东价", "订单金额", "结算金额", "余额支付",
    "应付金额", "订单状态", "订单类型", "下单帐号", "客户姓名", "客户地址", "联系电话", "订单备注", "发票类型",
    "发票抬头", "发票内容", "商家备注", "商家备注等级（等级1-5为由高到低）", "运费金额", "付款确认时间", "增值税发票",
    "货号", "订单完成时间", "订单来源", "订单渠道",
]  # fmt: skip
JD_2019 = (
    JD_2016[:8]
    + ["实付金额"]
    + JD_2016[8:]
    + ["送装服务", "服务费", "仓库id", "仓库名称", "普通发票纳税编号", "商家SKUID", "是否为品牌商订单",
       "是否为toplife订单", "纳税人识别号", "单位地址", "开户银行", "银行账号"]
)  # fmt: skip
PDD_2020 = [
    "商品", "订单号", "订单状态", "商品总价(元)", "店铺优惠折扣(元)", "平台优惠折扣(元)", "邮费(元)", "用户实付金额(元)",
    "商品数量(件)", "身份证姓名", "身份证号码", "收货人", "手机", "是否审核中", "省", "市", "区", "街道", "支付时间",
    "拼单成功时间", "订单确认时间", "承诺发货时间", "发货时间", "确认收货时间", "商品id", "商品规格", "用户购买手机号",
    "样式ID", "商家编码-SKU维度", "商家编码-商品维度", "快递单号", "快递公司", "商家备注", "售后状态", "买家留言",
    "关联货品编码", "商家实收金额(元)",
]  # fmt: skip
PDD_2023 = [
    "商品", "订单号", "订单状态", "商品总价(元)", "店铺优惠折扣(元)", "平台优惠折扣(元)", "多多支付立减金额(元)",
    "邮费(元)", "用户实付金额(元)", "商品数量(件)", "是否审核中", "省", "市", "区", "街道/镇", "订单成交时间", "支付时间",
    "拼单成功时间", "承诺发货时间", "发货时间", "确认收货时间", "商品id", "商品规格", "样式ID", "商家编码-规格维度",
    "商家编码-商品维度", "快递单号", "快递公司", "商家备注", "售后状态", "买家留言", "团ID", "团身份", "商品一级类目",
    "是否直播间成交", "是否分期", "商家实收金额(元)",
]  # fmt: skip
GENERIC = [
    "订单号", "下单时间", "付款时间", "订单状态", "买家", "收货人", "手机", "省", "市", "区", "详细地址", "邮编",
    "商品编码", "商品名称", "规格", "单价", "数量", "运费", "优惠", "实付金额", "买家留言", "卖家备注", "快递公司", "快递单号",
]  # fmt: skip

LINE_DEFAULT = {
    "code": "D-黑-S",
    "title": "【包邮】夏季连衣裙",
    "price": "99.00",
    "qty": 1,
    "props": "颜色分类：黑色;尺码：S",
}


def order(**kw) -> dict:
    """One order dict with every default filled in; keyword arguments override."""
    base = {
        "no": "35153131473293579",
        "buyer": "tb_买家01",
        "status": "买家已付款，等待卖家发货",
        "goods": "99.00",
        "postage": "0.00",
        "paid": "99.00",
        "refund": "0.00",
        "name": "薛小姐",
        "phone": "13912345678",
        "address": "广东省 广州市 越秀区 中山五路 1号(510180)",
        "created": "2017-07-08 00:42:32",
        "paid_at": "2017-07-08 00:42:39",
        "message": "",
        "remark": "",
        "tracking": "",
        "carrier": "",
        "lines": [dict(LINE_DEFAULT)],
    }
    base.update(kw)
    base["lines"] = [{**LINE_DEFAULT, **line} for line in base["lines"]]
    return base


def _orders(orders) -> list[dict]:
    return [order(**o) for o in (orders or [{}])]


def _csv(header: list[str], rows: list[list[str]], encoding="gbk", trailing_comma=False, raw_cols=()) -> bytes:
    """CSV with every field quoted; columns in raw_cols are written unquoted (Excel formula cells `="…"`)."""
    out = io.StringIO()
    out.write(",".join(f'"{h}"' for h in header) + "\r\n")
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            value = str(value)
            if i in raw_cols:
                cells.append(f'="{value}"')
            else:
                cells.append('"' + value.replace('"', '""') + '"')
        out.write(",".join(cells) + ("," if trailing_comma else "") + "\r\n")
    text = out.getvalue()
    return text.encode(encoding) if encoding != "utf-8-sig" else b"\xef\xbb\xbf" + text.encode("utf-8")


def xlsx_bytes(header: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)  # streamed rows: the 50,000-order bench file in seconds, not a minute
    sheet = book.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def taobao_pair(orders=None, version="2020", xlsx=False, encoding="gbk"):
    """(订单报表 bytes, 宝贝报表 bytes). version "2017" | "2020" | "lite" (cut-down report, no detail columns).
    xlsx=True: the order report as .xlsx (newer Tmall/千牛), the detail list stays a GBK CSV."""
    header = {"2017": TAOBAO_2017, "2020": TAOBAO_2020, "lite": TAOBAO_LITE}[version]
    rows, detail = [], []
    for o in _orders(orders):
        v = {
            "订单编号": o["no"], "买家会员名": o["buyer"], "买家支付宝账号": "a***@qq.com", "支付单号": "2017070821001004",
            "支付详情": "支付宝", "买家应付货款": o["goods"], "买家应付邮费": o["postage"], "买家支付积分": "0",
            "总金额": o.get("total", o["paid"]), "返点积分": "0", "买家实际支付金额": o["paid"], "买家实际支付积分": "0",
            "订单状态": o["status"], "买家留言": o["message"], "收货人姓名": o["name"], "收货地址 ": o["address"],
            "运送方式": "快递", "联系电话 ": "", "联系手机": "'" + o["phone"] if o["phone"] else "",
            "订单创建时间": o["created"], "订单付款时间 ": o["paid_at"], "宝贝标题 ": o["lines"][0]["title"],
            "宝贝种类 ": str(len(o["lines"])), "物流单号 ": o["tracking"], "物流公司": o["carrier"],
            "订单备注": o["remark"], "宝贝总数量": str(sum(int(x["qty"]) for x in o["lines"])), "店铺Id": "0",
            "店铺名称": "掌柜小店", "订单关闭原因": "订单未关闭", "卖家服务费": "0", "买家服务费": "0元",
            "是否手机订单": "手机订单", "特权订金订单id": "", "是否代付": "否", "退款金额": o["refund"],
            "确认收货时间": o.get("done_at", ""), "主订单编号": o["no"],
        }  # fmt: skip
        rows.append([v.get(h, "") for h in header])
        for line in o["lines"]:
            detail.append(
                [o["no"], line["title"], line["price"], str(line["qty"]), line["code"], line["props"], "", "",
                 o["status"], line["code"]]
            )  # fmt: skip
    formula = {header.index("订单编号")}
    if "特权订金订单id" in header:
        formula.add(header.index("特权订金订单id"))
    report = xlsx_bytes(header, rows) if xlsx else _csv(header, rows, encoding=encoding, raw_cols=formula)
    details = _csv(TAOBAO_DETAIL, detail, encoding=encoding, trailing_comma=True, raw_cols={0})
    return report, details


def jd_csv(orders=None, version="2019", encoding="gbk") -> bytes:
    """JD export: one row per SKU line, order fields repeated, every cell padded with a tab (§1.5)."""
    header = {"2016": JD_2016, "2019": JD_2019}[version]
    rows = []
    for o in _orders(orders):
        o.setdefault("jd_status", "等待出库")
        for line in o["lines"]:
            v = {
                "订单号": o["no"], "商品ID": line.get("sku_id", "100012345678"), "商品名称": line["title"],
                "订购数量": str(line["qty"]), "支付方式": "在线支付", "下单时间": o["created"], "京东价": line["price"],
                "订单金额": o["goods"], "实付金额": o["paid"], "结算金额": o["paid"], "余额支付": "0.00",
                "应付金额": o["paid"], "订单状态": o.get("jd_status") or o["status"], "订单类型": "销售订单",
                "下单帐号": o["buyer"], "客户姓名": o["name"], "客户地址": o["address"], "联系电话": o["phone"],
                "订单备注": o["message"], "商家备注": o["remark"], "运费金额": o["postage"], "付款确认时间": o["paid_at"],
                "货号": line["code"], "商家SKUID": line["code"], "订单完成时间": o.get("done_at", ""),
                "订单来源": "移动端订单", "订单渠道": "暂无来源",
            }  # fmt: skip
            rows.append([("\t" + v[h] + "\t") if v.get(h) else "" for h in header])
    return _csv(header, rows, encoding=encoding)


def pdd_csv(orders=None, version="2023", encoding="utf-8-sig", as_xlsx=False) -> bytes:
    """PDD export, one row per order (version "2020" with receiver columns, "2023" without)."""
    header = {"2020": PDD_2020, "2023": PDD_2023}[version]
    rows = []
    for o in _orders(orders):
        line = o["lines"][0]
        v = {
            "商品": line["title"], "订单号": o["no"], "订单状态": o.get("pdd_status", "待发货"), "商品总价(元)": o["goods"],
            "店铺优惠折扣(元)": o.get("shop_discount", "0"), "平台优惠折扣(元)": o.get("platform_discount", "0"),
            "邮费(元)": o["postage"], "用户实付金额(元)": o["paid"], "商品数量(件)": str(line["qty"]),
            "收货人": o["name"], "手机": o["phone"], "是否审核中": o.get("risk", "否"),
            "省": o.get("province", "广东省"), "市": o.get("city", "广州市"), "区": o.get("district", "越秀区"),
            "街道": o.get("street", "中山五路 1号"), "街道/镇": o.get("street", "北京街道"),
            "支付时间": o["paid_at"], "订单成交时间": o.get("deal_at", ""), "发货时间": o.get("shipped_at", ""),
            "确认收货时间": o.get("done_at", ""), "商品id": "123456", "商品规格": line["props"], "样式ID": "789",
            "商家编码-SKU维度": line["code"], "商家编码-规格维度": line["code"], "商家编码-商品维度": "D",
            "快递单号": o["tracking"], "快递公司": o["carrier"], "商家备注": o["remark"], "买家留言": o["message"],
            "售后状态": o.get("after_sale", "无售后或售后取消"),
        }  # fmt: skip
        rows.append([v.get(h, "") for h in header])
    if as_xlsx:
        return xlsx_bytes(header, rows)
    return _csv(header, rows, encoding=encoding)


def generic_xlsx(orders=None) -> bytes:
    """Our own template (own/offline channel): one row per line, order columns repeated on every row."""
    rows = []
    for o in _orders(orders):
        for line in o["lines"]:
            v = {
                "订单号": o["no"], "下单时间": o["created"], "付款时间": o["paid_at"], "订单状态": o.get("own_status", ""),
                "买家": o["buyer"], "收货人": o["name"], "手机": o["phone"], "省": o.get("province", "广东省"),
                "市": o.get("city", "广州市"), "区": o.get("district", "越秀区"), "详细地址": o.get("street", "中山五路1号"),
                "邮编": "510180", "商品编码": line["code"], "商品名称": line["title"], "规格": line["props"],
                "单价": line["price"], "数量": int(line["qty"]) if str(line["qty"]).isdigit() else line["qty"],
                "运费": o["postage"], "优惠": "0", "实付金额": o["paid"], "买家留言": o["message"],
                "卖家备注": o["remark"], "快递公司": o["carrier"], "快递单号": o["tracking"],
            }  # fmt: skip
            rows.append([v[h] for h in GENERIC])
    return xlsx_bytes(GENERIC, rows)
