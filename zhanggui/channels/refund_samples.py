"""Realistic refund-list files for the tests, the benchmark and the demo (AS-2): the Taobao/Tmall 退款管理 export
(GBK CSV, ="…" cells, trailing spaces in headers), the JD 售后服务单 export (XLSX or CSV with tab-padded cells), the
PDD 售后 export (UTF-8 with BOM) and our template (XLSX). Each refund: {"id", "order", "amount" (yuan text), "status",
"service" (仅退款 / 退货退款 / 换货), "code", "qty", "reason", "paid"}."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

TAOBAO = ["订单编号", "退款编号", "支付宝交易号", "订单付款时间", "宝贝ID", "宝贝标题", "商家编码",
          "买家实际支付金额", "买家退款金额", "手工退款/系统退款", "是否需要退货", "退款的申请时间", "超时时间",
          "退款状态 ", "货物状态", "退货物流信息", "发货物流信息", "客服介入状态", "买家退款原因", "买家退款说明",
          "售中或售后", "完结时间"]  # fmt: skip
JD = ["服务单号", "订单号", "商品编号", "商品名称", "申请数量", "服务类型", "服务单状态", "退款金额", "申请时间",
      "问题描述", "运单号", "商家SKU编码"]  # fmt: skip
PDD = ["售后编号", "订单号", "商品名称", "商品ID", "商家编码-规格维度", "售后类型", "售后状态", "申请时间",
       "申请退款金额(元)", "退款金额(元)", "用户实付金额(元)", "售后原因", "退货快递单号"]  # fmt: skip


def _csv(header: list[str], rows: list[list[str]], encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _xlsx(header: list[str], rows: list[list[str]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def taobao(refunds: list[dict], *, encoding: str = "gbk") -> bytes:
    rows = []
    for r in refunds:
        ret = r.get("service") == "退货退款"
        rows.append([f'="{r["order"]}"', r["id"], f"2026{r['id']}", "2026-11-20 10:00:00", "6001234",
                     "碎花连衣裙", r.get("code", ""), r.get("paid", r["amount"]), r["amount"], "系统退款",
                     "是" if ret else "否", "2026-11-21 09:30:00", "", r["status"],
                     "买家已收到货" if ret else "买家未收到货",
                     "", "", "", r.get("reason", "不想要了"), "", "售后" if ret else "售中", ""])  # fmt: skip
    return _csv(TAOBAO, rows, encoding)


def jd(refunds: list[dict], *, xlsx: bool = True) -> bytes:
    rows = [[r["id"], f"\t{r['order']}", "100012345", "纯棉T恤", str(r.get("qty", 1)), r.get("service", "仅退款"),
             r["status"], r["amount"], "2026-11-21 09:30:00", r.get("reason", "尺码不合适"), "", r.get("code", "")]
            for r in refunds]  # fmt: skip
    return _xlsx(JD, rows) if xlsx else _csv(JD, rows, "gbk")


def pdd(refunds: list[dict]) -> bytes:
    rows = [[r["id"], r["order"], "碎花连衣裙", "3456789", r.get("code", ""), r.get("service", "仅退款"), r["status"],
             "2026-11-21 09:30:00", r["amount"], r["amount"], r.get("paid", r["amount"]), r.get("reason", "拍错了"), ""]
            for r in refunds]  # fmt: skip
    return _csv(PDD, rows, "utf-8-sig")


def template(refunds: list[dict]) -> bytes:
    from zhanggui.channels.formats.refunds import TEMPLATE_HEADERS

    rows = [[r["id"], r["order"], r["amount"], r["status"], r.get("service", "仅退款"), r.get("code", ""),
             str(r.get("qty", "")), r.get("reason", "拍错了"), "2026-11-21 09:30:00", ""] for r in refunds]  # fmt: skip
    return _xlsx(TEMPLATE_HEADERS, rows)
