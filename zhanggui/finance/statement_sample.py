"""Writing an Alipay 账务明细 CSV as Alipay hands it out (GBK, `#` preamble and summary, tab-padded cells, yuan with
signs): the demo company's statement, the tests' files and the import benchmark's 200,000 rows (FIN-3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

HEADER = ["账务流水号", "业务流水号", "商户订单号", "商品名称", "发生时间", "对方账号", "收入金额（+元）",
          "支出金额（-元）", "账户余额（元）", "交易渠道", "业务类型", "备注"]  # fmt: skip


@dataclass
class Line:
    entry_id: str
    when: dt.datetime  # Beijing wall time
    amount_fen: int  # > 0 money in
    business: str = "在线支付"
    order_ref: str = ""  # 商户订单号 (T200P<order no> for Taobao)
    title: str = ""
    counterpart: str = ""
    remark: str = ""


def _yuan(fen: int, sign: str) -> str:
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def alipay_csv(lines: list[Line], account: str = "shop@example.com", opening_fen: int = 0) -> bytes:
    """The whole file in GBK."""
    first = min((x.when for x in lines), default=dt.datetime(2026, 1, 1))
    last = max((x.when for x in lines), default=first)
    out = [
        "#支付宝账务明细查询",
        f"#账号：[{account}]",
        f"#起始日期：[{first:%Y年%m月%d日 00:00:00}]   终止日期：[{last:%Y年%m月%d日 23:59:59}]",
        "#-----------------------------------------账务明细列表----------------------------------------",
        ",".join(HEADER),
    ]
    balance, income, expense, n_in, n_out = opening_fen, 0, 0, 0, 0
    for x in lines:
        balance += x.amount_fen
        if x.amount_fen >= 0:
            income, n_in = income + x.amount_fen, n_in + 1
            money = (_yuan(x.amount_fen, "+"), "")
        else:
            expense, n_out = expense - x.amount_fen, n_out + 1
            money = ("", _yuan(-x.amount_fen, "-"))
        cells = [x.entry_id, "2026" + x.entry_id[-16:], x.order_ref, x.title, f"{x.when:%Y-%m-%d %H:%M:%S}",
                 x.counterpart, money[0], money[1], _yuan(balance, ""), "支付宝", x.business, x.remark]  # fmt: skip
        out.append(",".join(c + "\t" for c in cells))
    out += [
        "#-------------------------------------------账务明细列表结束------------------------------------",
        f"#收入合计：{n_in}笔，共{_yuan(income, '')}元",
        f"#支出合计：{n_out}笔，共{_yuan(expense, '')}元",
        f"#导出时间：[{last:%Y年%m月%d日 %H:%M:%S}]",
    ]
    return ("\r\n".join(out) + "\r\n").encode("gbk")
