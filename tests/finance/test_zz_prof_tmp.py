import cProfile, pstats, datetime as dt, io
from zhanggui.finance.statement_sample import Line, alipay_csv
from zhanggui.finance.services.funds import import_statements

def test_prof(world):
    shop = world.shop_a
    start = dt.datetime(2026, 6, 1, 8)
    lines = [Line(f"2026{i:016d}", start + dt.timedelta(seconds=i), 1000 + i, "在线支付", f"T200P4{i:018d}", "x", "b@x.com") for i in range(20000)]
    raw = alipay_csv(lines)
    pr = cProfile.Profile(); pr.enable()
    import_statements(None, shop, [("a.csv", raw)])
    pr.disable()
    s = io.StringIO(); pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(35); print(s.getvalue()[:6000])
    pr = cProfile.Profile(); pr.enable()
    import_statements(None, shop, [("a.csv", raw)])
    pr.disable()
    s = io.StringIO(); pstats.Stats(pr, stream=s).sort_stats("tottime").print_stats(15); print(s.getvalue()[:3000])
